import { randomBytes } from 'node:crypto';
import type { RecordedRequest } from './http.js';

/** Shapes and helpers shared by the Slack stand-in's modules. */

export type Obj = Record<string, unknown>;

export class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly messages: string[] = [],
  ) {
    super(code);
  }
}

export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks: unknown[] | undefined;
  attachments?: unknown[];
  metadata?: unknown;
  reply_broadcast: boolean;
  unfurl_links?: boolean;
  unfurl_media?: boolean;
  /** Who posted it: the bot's user id. */
  user: string;
  /** How many times it was changed (chat.update or a response_url replace). */
  updates: number;
  deleted: boolean;
  /** `api` for chat.postMessage, `response_url` for an in_channel response. */
  source: 'api' | 'response_url';
}

export interface StoredEphemeral {
  channel: string;
  user: string;
  /** message_ts as chat.postEphemeral answers it. */
  ts: string;
  thread_ts?: string;
  text: string;
  blocks: unknown[] | undefined;
  source: 'api' | 'response_url';
}

export interface StoredView {
  id: string;
  /** The user the modal was opened for (from the trigger). */
  user: string;
  trigger_id?: string;
  type: string;
  callback_id: string;
  private_metadata: string;
  external_id: string;
  title: unknown;
  submit?: unknown;
  close?: unknown;
  blocks: unknown[];
  state: { values: Obj };
  hash: string;
  root_view_id: string;
  previous_view_id: string | null;
  closed: boolean;
  /** What the modal shows under its input blocks, from the last `response_action: errors` Slack accepted. */
  errors?: Record<string, string>;
}

export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function bool(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** A field that WebClient JSON-stringifies inside a form (`blocks`, `view`...). */
export function jsonField(value: unknown, errorCode: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new SlackApiError(errorCode, [`[ERROR] failed to parse JSON: ${value.slice(0, 80)}`]);
  }
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** Web API parameters: query string plus a form or JSON body. */
export function parseApiParams(request: Pick<RecordedRequest, 'headers' | 'body' | 'query'>): Obj {
  const params: Obj = Object.fromEntries(request.query);
  const type = String(request.headers['content-type'] ?? '');
  if (!request.body) return params;
  if (type.includes('application/json')) {
    const parsed: unknown = JSON.parse(request.body);
    if (typeof parsed === 'object' && parsed !== null) Object.assign(params, parsed);
    return params;
  }
  for (const [key, value] of new URLSearchParams(request.body)) params[key] = value;
  return params;
}

const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata'];

/** Parses the fields WebClient JSON-stringifies inside a form, for assertions. */
export function decodeJsonFields(params: Obj): Obj {
  for (const key of JSON_FIELDS) {
    const value = params[key];
    if (typeof value !== 'string') continue;
    try {
      params[key] = JSON.parse(value);
    } catch {
      // Left as sent: the stand-in answered it as malformed.
    }
  }
  return params;
}
