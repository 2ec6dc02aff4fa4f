import { ReviewAppError } from './errors.js';

const MAX_INPUT = 300;
/** GitLab stores iids as 32-bit integers. */
const MAX_IID = 2_147_483_647;

export interface ProjectRef {
  /** Base URL of GitLab, e.g. https://gitlab.example.com */
  gitlabUrl: string;
  /** Path with namespace (acme/shop), when known. */
  path?: string;
  /** Numeric id as a string, when configured that way. */
  id?: string;
}

/**
 * Reads `42`, `!42` or the merge request's web URL into its iid.
 * A URL must belong to the configured GitLab host and project.
 */
export function parseMergeRequestReference(input: string, project: ProjectRef): number {
  const text = input.trim();
  const usage = 'Give the merge request as 42, !42 or its GitLab URL.';
  if (text === '') throw new ReviewAppError('BAD_MR_REFERENCE', `No merge request given. ${usage}`);
  if (text.length > MAX_INPUT) {
    throw new ReviewAppError(
      'BAD_MR_REFERENCE',
      `That is too long to be a merge request. ${usage}`,
    );
  }
  const plain = /^!?([0-9]+)$/.exec(text);
  if (plain) return checkIid(plain[1] as string, usage);

  if (/^https?:\/\//i.test(text)) return parseUrl(text, project, usage);
  throw new ReviewAppError(
    'BAD_MR_REFERENCE',
    `"${shorten(text)}" is not a merge request. ${usage}`,
  );
}

function checkIid(digits: string, usage: string): number {
  const iid = Number(digits);
  if (!Number.isSafeInteger(iid) || iid < 1 || iid > MAX_IID) {
    throw new ReviewAppError(
      'BAD_MR_REFERENCE',
      `!${shorten(digits)} is not a valid merge request number. ${usage}`,
    );
  }
  return iid;
}

function parseUrl(text: string, project: ProjectRef, usage: string): number {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ReviewAppError('BAD_MR_REFERENCE', `That URL cannot be read. ${usage}`);
  }
  const base = new URL(project.gitlabUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const match = /^(.+)\/-\/merge_requests\/([0-9]+)\/?(?:[a-z]+\/?)?$/.exec(url.pathname);
  if (url.host.toLowerCase() !== base.host.toLowerCase() || !match) {
    throw new ReviewAppError(
      'BAD_MR_REFERENCE',
      `That is not a merge request URL of ${base.host}. ${usage}`,
    );
  }
  const path = decodePath(match[1] as string, usage)
    .slice(basePath.length)
    .replace(/^\/+/, '');
  if (project.path && path.toLowerCase() !== project.path.toLowerCase()) {
    throw new ReviewAppError(
      'BAD_MR_REFERENCE',
      `That merge request belongs to ${shorten(path)}, not to ${project.path}. Only ${project.path} can be launched here.`,
    );
  }
  return checkIid(match[2] as string, usage);
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function decodePath(path: string, usage: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new ReviewAppError('BAD_MR_REFERENCE', `That URL cannot be read. ${usage}`);
  }
}
