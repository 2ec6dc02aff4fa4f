import type { LaunchSource, ReviewAppMeta } from './types.js';

/**
 * Review apps keep their state in ECS tags, so the bot needs no database.
 * ECS allows only letters, digits, spaces and `_ . : / = + - @` in tag values,
 * at most 256 characters. Anything else is written as `=HH` per UTF-8 byte
 * (quoted-printable style, `=` itself included), which decodes losslessly.
 * A value that does not fit is cut at a whole escape and marked with a
 * trailing `=.`, so a reader knows it was shortened.
 */
export const TAG_PREFIX = 'review-app:';
const MAX_TAG_VALUE = 256;
const TRUNCATED_MARK = '=.';

const ALLOWED = /^[A-Za-z0-9 _.:/+\-@]$/;

export function encodeTagValue(value: string): string {
  let out = '';
  for (const char of value) {
    if (ALLOWED.test(char)) {
      out += char;
    } else {
      for (const byte of Buffer.from(char, 'utf8')) {
        out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
    }
  }
  if (out.length <= MAX_TAG_VALUE) return out;
  return cutEncoded(out, MAX_TAG_VALUE - TRUNCATED_MARK.length) + TRUNCATED_MARK;
}

/** Cut an encoded value without splitting a character's escapes. */
function cutEncoded(encoded: string, limit: number): string {
  let end = 0;
  let index = 0;
  while (index < encoded.length) {
    let next = index;
    if (encoded[index] === '=') {
      // One character: a lead byte and its continuation bytes (10xxxxxx).
      const lead = Number.parseInt(encoded.slice(index + 1, index + 3), 16);
      const bytes = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
      next = index + 3 * bytes;
    } else {
      next = index + 1;
    }
    if (next > limit) break;
    end = next;
    index = next;
  }
  return encoded.slice(0, end);
}

export function decodeTagValue(encoded: string): { value: string; truncated: boolean } {
  // Most values need no escapes at all (numbers, dates, ids): nothing to decode.
  if (!encoded.includes('=')) return { value: encoded, truncated: false };
  const truncated = encoded.endsWith(TRUNCATED_MARK);
  const body = truncated ? encoded.slice(0, -TRUNCATED_MARK.length) : encoded;
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(body.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return { value: Buffer.from(bytes).toString('utf8'), truncated };
}

type Tag = { key: string; value: string };

const KEYS = {
  project: 'project',
  mr: 'mr',
  title: 'title',
  branch: 'branch',
  sha: 'commit',
  image: 'image',
  requester: 'requester',
  source: 'source',
  channel: 'slack-channel',
  thread: 'slack-thread',
  statusTs: 'slack-status',
  warningTs: 'slack-warning',
  offerTs: 'slack-offer',
  launchedAt: 'launched-at',
  softDeadline: 'soft-deadline',
  hardDeadline: 'hard-deadline',
  port: 'port',
  url: 'url',
  warned: 'warned',
  announced: 'announced',
  nextSha: 'next-commit',
  nextStage: 'next-commit-stage',
  noteId: 'gitlab-note',
} as const satisfies Record<keyof ReviewAppMeta, string>;

export function tagKey(field: keyof ReviewAppMeta): string {
  return TAG_PREFIX + KEYS[field];
}

function fieldValue(meta: Partial<ReviewAppMeta>, field: keyof ReviewAppMeta): string | undefined {
  const value = meta[field];
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value ? 'true' : undefined;
  if (typeof value === 'number' && /(Deadline|At)$/.test(field)) {
    return new Date(value).toISOString();
  }
  return String(value);
}

/** The tags for (part of) a review app's meta, ready for RunTask or TagResource. */
export function metaToTags(meta: Partial<ReviewAppMeta>): Tag[] {
  const tags: Tag[] = [];
  for (const field of Object.keys(KEYS) as (keyof ReviewAppMeta)[]) {
    const value = fieldValue(meta, field);
    if (value !== undefined) tags.push({ key: tagKey(field), value: encodeTagValue(value) });
  }
  return tags;
}

/** Read a review app's meta back from its tags; undefined when they are not ours or incomplete. */
export function tagsToMeta(tags: Record<string, string>): ReviewAppMeta | undefined {
  const read = (field: keyof ReviewAppMeta): string | undefined => {
    const raw = tags[tagKey(field)];
    return raw === undefined ? undefined : decodeTagValue(raw).value;
  };
  const time = (field: keyof ReviewAppMeta): number | undefined => {
    const raw = read(field);
    const parsed = raw === undefined ? Number.NaN : Date.parse(raw);
    return Number.isNaN(parsed) ? undefined : parsed;
  };
  const mr = Number(read('mr'));
  const softDeadline = time('softDeadline');
  const hardDeadline = time('hardDeadline');
  const project = read('project');
  if (
    !Number.isInteger(mr) ||
    !project ||
    softDeadline === undefined ||
    hardDeadline === undefined
  ) {
    return undefined;
  }
  const source: LaunchSource = read('source') === 'slack' ? 'slack' : 'cli';
  const meta: ReviewAppMeta = {
    project,
    mr,
    title: read('title') ?? '',
    branch: read('branch') ?? '',
    sha: read('sha') ?? '',
    image: read('image') ?? '',
    requester: read('requester') ?? '',
    source,
    launchedAt: time('launchedAt') ?? softDeadline,
    softDeadline,
    hardDeadline,
  };
  const channel = read('channel');
  const thread = read('thread');
  const statusTs = read('statusTs');
  if (channel) meta.channel = channel;
  if (thread) meta.thread = thread;
  if (statusTs) meta.statusTs = statusTs;
  // Written empty once their buttons are gone, which reads as unset.
  const warningTs = read('warningTs');
  const offerTs = read('offerTs');
  if (warningTs) meta.warningTs = warningTs;
  if (offerTs) meta.offerTs = offerTs;
  const port = Number(read('port'));
  if (Number.isInteger(port) && port > 0) meta.port = port;
  const url = read('url');
  if (url) meta.url = url;
  if (read('warned') === 'true') meta.warned = true;
  if (read('announced') === 'true') meta.announced = true;
  const nextSha = read('nextSha');
  const nextStage = read('nextStage');
  if (nextSha && (nextStage === 'building' || nextStage === 'failed' || nextStage === 'offered')) {
    meta.nextSha = nextSha;
    meta.nextStage = nextStage;
  }
  const noteId = Number(read('noteId'));
  if (Number.isInteger(noteId) && noteId > 0) meta.noteId = noteId;
  return meta;
}
