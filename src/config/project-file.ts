import { isMap, isScalar, isSeq, LineCounter, type Node, type Pair, parseDocument } from 'yaml';
import type { Env } from './config.js';

/**
 * `review-apps.yml`: one bot for many projects. It speaks the environment's vocabulary:
 * under `defaults` and under each project, a setting has the name of its environment
 * variable, so an operator learns one set of names. What it yields is an environment per
 * project (the process's, then `defaults`, then the project's), which the one schema that
 * checks the environment then checks: a project is a value, parsed like the one-project
 * setup. Tokens never live in the file.
 */

/** Settings a project may set for itself. */
export const PROJECT_SETTINGS = [
  'ECS_TASK_DEFINITION',
  'ECS_CONTAINER',
  'ECS_TASK_FAMILY',
  'ECS_SUBNETS',
  'ECS_SECURITY_GROUPS',
  'ECS_ASSIGN_PUBLIC_IP',
  'ECS_CAPACITY_PROVIDER',
  'REGISTRY_REPOSITORY',
  'IMAGE_TAG_TEMPLATE',
  'IMAGE_TEMPLATE',
  'REVIEW_APP_TTL',
  'REVIEW_APP_MAX_LIFETIME',
  'REVIEW_APP_LAUNCH_TIMEOUT',
  'REVIEW_APP_TTL_MODE',
  'REVIEW_APP_URL_TEMPLATE',
  'REVIEW_APP_PORT',
  'REVIEW_APP_FOLLOW',
  'REVIEW_APP_STOP_ON_MERGE',
  'GITLAB_ENVIRONMENTS',
  'GITLAB_MR_NOTES',
  'ALLOWED_CHANNEL_IDS',
  'ALLOWED_USER_IDS',
  'MAX_RUNNING_APPS',
  // The app's own name on the shared load balancer and how it is checked for health.
  'REVIEW_APP_HOST_TEMPLATE',
  'HEALTH_CHECK_PATH',
  'HEALTH_CHECK_CODES',
] as const;

/** Settings shared by every project: allowed under `defaults` (and in the environment) only. */
export const SHARED_SETTINGS = [
  'GITLAB_URL',
  'GITLAB_TIMEOUT',
  'AWS_REGION',
  'ECS_CLUSTER',
  'REVIEW_APP_REAPER_IMAGE',
  'REVIEW_APP_MR_CHECK_INTERVAL',
  'MAX_APPS_PER_USER',
  'SLACK_CLI_CHANNEL',
  'SLACK_UPDATES_PER_MINUTE',
  'FARGATE_VCPU_HOUR_PRICE',
  'FARGATE_GB_HOUR_PRICE',
  'FARGATE_SPOT_DISCOUNT',
  // One load balancer, one domain and one sign-in for every project's review apps.
  'LOAD_BALANCER_LISTENER_ARN',
  'REVIEW_APP_DOMAIN',
  'ALLOWED_SOURCE_CIDRS',
  'OIDC_ISSUER',
  'OIDC_AUTHORIZATION_ENDPOINT',
  'OIDC_TOKEN_ENDPOINT',
  'OIDC_USER_INFO_ENDPOINT',
  'OIDC_CLIENT_ID',
] as const;

/** Secrets stay in the environment (or the platform's secret store), never in a file in a repository. */
const SECRET_SETTINGS = new Set([
  'GITLAB_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'OIDC_CLIENT_SECRET',
]);

/**
 * Values shaped like a credential, by the prefixes their issuers document: GitLab's
 * personal, deploy, runner and project tokens (glpat-, gldt-, glrt-, glptt-), Slack's
 * bot, user, app and configuration tokens, and AWS access key ids.
 */
const TOKEN_SHAPED = /^(gl(pat|dt|rt|ptt|oas|cbt)-|xox[abpre]-|xapp-|(AKIA|ASIA)[0-9A-Z]{16}$)/;

/** Slack conversation ids: public (C) and private (G) channels. */
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
/** A GitLab project path: namespaces and the project, separated by `/`. */
const PROJECT_PATH = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+$/;

export interface ProjectEntry {
  /** The project's path with namespace, as the file names it (acme/shop). */
  path: string;
  /** Channels where this project is the default. */
  channels: string[];
  /** The environment this project is parsed from: the process's, `defaults`, then its own. */
  env: Env;
  /** Where it is named in the file, for problems found later (its settings' values). */
  line: number;
  /** The line of each of its own settings, and of the defaults it takes. */
  lines: Record<string, number>;
}

export class ProjectFileError extends Error {
  readonly code = 'PROJECT_FILE_INVALID';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(
      `${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems
        .map((problem) => `  - ${problem}`)
        .join('\n')}`,
    );
    this.name = 'ProjectFileError';
  }
}

const KNOWN = new Set<string>([...PROJECT_SETTINGS, ...SHARED_SETTINGS]);

/** The closest known name to a typo, when one is close enough to be meant. */
function suggestion(name: string): string {
  let best: { name: string; distance: number } | undefined;
  for (const known of KNOWN) {
    const distance = editDistance(name.toUpperCase(), known);
    if (!best || distance < best.distance) best = { name: known, distance };
  }
  return best && best.distance <= 3 ? ` (did you mean ${best.name}?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(
        Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * Reads the file's text into one entry per project; every problem at once, each naming
 * the line, the project and the key. `env` is the process's environment, which the file's
 * values lay over (the one-project variables are the defaults of all).
 */
export function parseProjectFile(text: string, file: string, env: Env = {}): ProjectEntry[] {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  const lineOf = (node: Node | Pair | null | undefined): number => {
    const range = (node && 'range' in node ? node.range : undefined) ??
      (node && 'key' in node ? (node.key as Node | null)?.range : undefined) ?? [0];
    return counter.linePos(range[0]).line;
  };
  const problems: string[] = document.errors.map(
    (error) => `line ${counter.linePos(error.pos[0]).line}: ${error.message.split('\n')[0]}`,
  );
  if (problems.length > 0) throw new ProjectFileError(file, problems);

  const root = document.contents;
  if (!isMap(root)) {
    throw new ProjectFileError(file, [
      'line 1: must be a mapping with `projects:` (and optionally `defaults:`)',
    ]);
  }
  const defaults: Env = {};
  const defaultLines: Record<string, number> = {};
  const entries: ProjectEntry[] = [];
  let sawProjects = false;

  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key === 'defaults') {
      const node = pair.value as Node | null;
      if (node !== null && !isMap(node)) {
        problems.push(`line ${lineOf(node)}: defaults: must be a mapping of settings`);
      } else if (node) {
        readSettings(node.items as Pair[], 'defaults', 'defaults', defaults, defaultLines);
      }
    } else if (key === 'projects') {
      sawProjects = true;
      if (!isMap(pair.value) || pair.value.items.length === 0) {
        problems.push(
          `line ${lineOf(pair)}: projects: must list at least one project by its GitLab path`,
        );
        continue;
      }
      for (const project of pair.value.items) {
        const path = isScalar(project.key) ? String(project.key.value) : '';
        const line = lineOf(project);
        if (!PROJECT_PATH.test(path)) {
          problems.push(
            `line ${line}: projects: "${path}" is not a GitLab project path such as acme/shop`,
          );
          continue;
        }
        if (entries.some((entry) => entry.path.toLowerCase() === path.toLowerCase())) {
          problems.push(`line ${line}: projects.${path}: is listed twice`);
          continue;
        }
        const own: Env = {};
        const lines: Record<string, number> = {};
        const channels = readProject(project.value as Node | null, path, own, lines);
        entries.push({ path, channels, env: own, line, lines });
      }
    } else {
      problems.push(
        `line ${lineOf(pair)}: ${key}: unknown key; the file has \`defaults\` and \`projects\``,
      );
    }
  }
  if (!sawProjects)
    problems.push('line 1: projects: is required: the projects the bot serves, by GitLab path');
  if (problems.length > 0) throw new ProjectFileError(file, byLine(problems));

  return entries.map((entry) => ({
    ...entry,
    env: { ...env, ...defaults, ...entry.env, GITLAB_PROJECT: entry.path },
    lines: { ...defaultLines, ...entry.lines },
  }));

  function readProject(
    node: Node | null,
    path: string,
    into: Env,
    lines: Record<string, number>,
  ): string[] {
    if (node === null) return [];
    if (!isMap(node)) {
      problems.push(`line ${lineOf(node)}: projects.${path}: must be a mapping of settings`);
      return [];
    }
    const items = node.items as Pair[];
    const channelPair = items.find((pair) => isKey(pair, 'channels'));
    const settings = items.filter((pair) => pair !== channelPair);
    readSettings(settings, `projects.${path}`, 'project', into, lines);
    return channelPair ? readChannels(channelPair, path) : [];
  }

  function readChannels(pair: Pair, path: string): string[] {
    const where = `line ${lineOf(pair)}: projects.${path}.channels`;
    if (!isSeq(pair.value)) {
      problems.push(`${where}: must be a list of Slack channel ids, such as [C0123456789]`);
      return [];
    }
    const ids = pair.value.items.map((item) => (isScalar(item) ? String(item.value) : ''));
    const wrong = ids.filter((id) => !CHANNEL_ID.test(id));
    if (wrong.length > 0) {
      problems.push(
        `${where}: ${wrong.map((id) => `"${id.slice(0, 20)}"`).join(', ')} ${wrong.length === 1 ? 'is not a channel id' : 'are not channel ids'}: use the id (C0123456789, from the channel's details), not its name`,
      );
    }
    return ids.filter((id) => CHANNEL_ID.test(id));
  }

  function readSettings(
    items: Pair[],
    where: string,
    kind: 'defaults' | 'project',
    into: Env,
    lines: Record<string, number>,
  ): void {
    for (const pair of items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : '';
      const at = `line ${lineOf(pair)}: ${where}.${name}`;
      if (SECRET_SETTINGS.has(name)) {
        problems.push(
          `${at}: is a secret, which never belongs in the file: set it in the environment`,
        );
        continue;
      }
      if (!KNOWN.has(name)) {
        problems.push(`${at}: unknown setting${suggestion(name)}`);
        continue;
      }
      if (kind === 'project' && !(PROJECT_SETTINGS as readonly string[]).includes(name)) {
        problems.push(
          `${at}: is shared by every project: set it under defaults or in the environment`,
        );
        continue;
      }
      const value = scalarText(pair.value as Node | null);
      if (value === undefined) {
        problems.push(`${at}: must be a value or a list of values`);
        continue;
      }
      if (value.split(',').some((part) => TOKEN_SHAPED.test(part.trim()))) {
        // The value itself is not repeated: it may be a real token.
        problems.push(
          `${at}: looks like a token, which never belongs in the file: set tokens in the environment`,
        );
        continue;
      }
      into[name] = value;
      lines[name] = lineOf(pair);
    }
  }
}

/** In the order of the file, which is how an operator fixes them. */
function byLine(problems: string[]): string[] {
  const line = (problem: string) => Number(/^line (\d+)/.exec(problem)?.[1] ?? 0);
  return [...problems].sort((a, b) => line(a) - line(b));
}

function isKey(pair: Pair, name: string): boolean {
  return isScalar(pair.key) && pair.key.value === name;
}

/** A scalar as the environment would hold it; a list of scalars as a comma-separated one. */
function scalarText(node: Node | null): string | undefined {
  if (isScalar(node)) return node.value === null ? '' : String(node.value);
  if (isSeq(node) && node.items.every((item) => isScalar(item))) {
    return node.items.map((item) => String((item as { value: unknown }).value)).join(',');
  }
  return undefined;
}
