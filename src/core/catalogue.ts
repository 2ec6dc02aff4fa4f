import { ReviewAppError } from './errors.js';
import { parseMergeRequestReference } from './mr-reference.js';

/** What the catalogue needs of a project: its GitLab path and the channels it is the default in. */
export interface CatalogueEntry {
  path: string;
  channels: string[];
}

/** What a person typed, resolved to one project, or to the projects to choose from. */
export type Resolution<P> =
  | { kind: 'project'; project: P; mr: number }
  | { kind: 'choose'; projects: P[]; mr: number };

const SEPARATOR = '!';

/** How a reference names its MR: by URL, by project and number (`shop!42`), or by number alone. */
export function referenceForm(input: string): 'url' | 'named' | 'bare' {
  const text = input.trim();
  if (/^https?:\/\//i.test(text)) return 'url';
  return text.lastIndexOf(SEPARATOR) > 0 ? 'named' : 'bare';
}

/**
 * One bot serves several projects: the catalogue turns what a person typed and where
 * (`42` in a channel, `shop!42`, `acme/shop!42`, an MR's URL) into one project before
 * any launch work starts. The one-project setup is a catalogue of one, where `42`
 * always means that project.
 */
export class ProjectCatalogue<P extends CatalogueEntry> {
  constructor(
    readonly projects: readonly P[],
    private readonly gitlabUrl: string,
  ) {
    if (projects.length === 0) throw new Error('a catalogue needs at least one project');
  }

  /** The channel's projects first (those that list it), then the others. */
  ordered(channel?: string): P[] {
    const own = this.inChannel(channel);
    return [...own, ...this.projects.filter((project) => !own.includes(project))];
  }

  /** The projects that list this channel; all of them where none does. */
  inChannel(channel?: string): P[] {
    const listing = channel
      ? this.projects.filter((project) => project.channels.includes(channel))
      : [];
    return listing.length > 0 ? listing : [...this.projects];
  }

  /** A project by its path (acme/shop) or, when no other project shares it, its last part (shop). */
  find(name: string): P | undefined {
    const wanted = name.trim().toLowerCase();
    const exact = this.projects.find((project) => project.path.toLowerCase() === wanted);
    if (exact) return exact;
    const byName = this.projects.filter((project) => shortName(project).toLowerCase() === wanted);
    return byName.length === 1 ? byName[0] : undefined;
  }

  /** `42`, `!42`, `shop!42`, `acme/shop!42` or an MR's URL, typed in `channel`. */
  resolve(input: string, channel?: string): Resolution<P> {
    const text = input.trim();
    const form = referenceForm(text);
    if (form === 'url') return this.resolveUrl(text);
    const at = text.lastIndexOf(SEPARATOR);
    if (form === 'named') {
      const name = text.slice(0, at);
      const project = this.find(name);
      if (!project)
        throw this.unknown(`"${shorten(name)}" is not a project this bot serves.`, name);
      return { kind: 'project', project, mr: this.number(text.slice(at), project) };
    }
    const candidates = this.inChannel(channel);
    const mr = this.number(text, candidates[0] as P);
    if (candidates.length === 1) return { kind: 'project', project: candidates[0] as P, mr };
    return { kind: 'choose', projects: candidates, mr };
  }

  /** How a person names this project unambiguously: its short name when unique, else its path. */
  nameOf(project: P): string {
    const short = shortName(project);
    return this.find(short) === project ? short : project.path;
  }

  private resolveUrl(text: string): Resolution<P> {
    const path = projectPathOfUrl(text, this.gitlabUrl);
    const project = path === undefined ? undefined : this.find(path);
    // Only a full path counts in a URL: `shop` alone could be anyone's.
    if (!project || project.path.toLowerCase() !== path?.toLowerCase()) {
      // The reference parser words a URL of another GitLab, or no MR URL at all.
      if (path === undefined) parseMergeRequestReference(text, { gitlabUrl: this.gitlabUrl });
      throw this.unknown(
        `That merge request belongs to ${shorten(path ?? text)}, which this bot does not serve.`,
        path,
      );
    }
    return { kind: 'project', project, mr: this.number(text, project) };
  }

  private number(reference: string, project: P): number {
    return parseMergeRequestReference(reference, { gitlabUrl: this.gitlabUrl, path: project.path });
  }

  private unknown(message: string, name?: string): ReviewAppError<'UNKNOWN_PROJECT'> {
    const served = this.projects.map((project) => project.path);
    const similar = name
      ? this.projects.filter(
          (project) => shortName(project).toLowerCase() === name.trim().toLowerCase(),
        )
      : [];
    const advice =
      similar.length > 1
        ? `Several projects are called ${shortName(similar[0] as P)}: say ${similar.map((project) => `${project.path}!42`).join(' or ')}.`
        : `It serves ${served.join(', ')}: say, for example, ${this.nameOf(this.projects[0] as P)}!42.`;
    return new ReviewAppError('UNKNOWN_PROJECT', `${message} ${advice}`, { served });
  }
}

function shortName(project: CatalogueEntry): string {
  return project.path.slice(project.path.lastIndexOf('/') + 1);
}

/**
 * The project path of an MR URL of this GitLab (…/acme/shop/-/merge_requests/42), without
 * the path GitLab itself is served under (https://example.com/gitlab); undefined otherwise.
 */
function projectPathOfUrl(text: string, gitlabUrl: string): string | undefined {
  try {
    const url = new URL(text);
    const base = new URL(gitlabUrl);
    if (url.host.toLowerCase() !== base.host.toLowerCase()) return undefined;
    const match = /^(.+)\/-\/merge_requests\/[0-9]+/.exec(url.pathname);
    if (!match) return undefined;
    const basePath = base.pathname.replace(/\/+$/, '');
    return decodeURIComponent(match[1] as string)
      .slice(basePath.length)
      .replace(/^\/+/, '');
  } catch {
    return undefined;
  }
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
