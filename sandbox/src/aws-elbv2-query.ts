import { randomUUID } from 'node:crypto';
import type { Tag } from './aws-elbv2-store.js';
import { AwsError, isObject, type JsonObject } from './aws-shared.js';
import type { HttpReply } from './http.js';

/**
 * The AWS query protocol as Elastic Load Balancing v2 speaks it: form-encoded
 * `Action=...&Version=2015-12-01`, lists as `Name.member.N`, structures as
 * `Name.Field`, maps as `Name.entry.N.key` / `.value`; answers are XML in the
 * `http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/` namespace,
 * `<XResponse><XResult>…</XResult><ResponseMetadata><RequestId/>`, lists as
 * `<member>`, and errors as `<ErrorResponse><Error><Type/><Code/><Message/>
 * </Error><RequestId/></ErrorResponse>` (aws-sdk-js-v3 AwsQueryProtocol and
 * the client's `xmlNamespace`; botocore's elbv2 model, protocol "query").
 */

export const ELBV2_NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';
export const ELBV2_VERSION = '2015-12-01';

/** ELBv2's own error (400, `Sender`); `ValidationError` is what AWS answers for a malformed field. */
export const validationError = (message: string) => new AwsError('ValidationError', message);

/** The form's parameters as a tree: `A.member.2.B` becomes `{ A: [_, { B }] }`. */
export function parseQuery(params: URLSearchParams): JsonObject {
  const root: JsonObject = {};
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue;
    const path = key.split('.');
    let node: JsonObject = root;
    path.forEach((part, index) => {
      if (index === path.length - 1) {
        node[part] = value;
        return;
      }
      const next = node[part];
      if (isObject(next)) node = next;
      else {
        const created: JsonObject = {};
        node[part] = created;
        node = created;
      }
    });
  }
  return listify(root) as JsonObject;
}

/** `{ member: { 1: a, 2: b } }` → `[a, b]`; `{ entry: { 1: { key, value } } }` → `{ key: value }`. */
function listify(value: unknown): unknown {
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'member' && isObject(value.member)) {
    return Object.entries(value.member)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, item]) => listify(item));
  }
  if (keys.length === 1 && keys[0] === 'entry' && isObject(value.entry)) {
    const map: JsonObject = {};
    for (const entry of Object.values(value.entry)) {
      if (isObject(entry) && typeof entry.key === 'string') map[entry.key] = entry.value;
    }
    return map;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, listify(v)]));
}

/** A value as ELBv2 writes it: lists as `<member>`, maps as `<entry><key/><value/>`. */
export function toXml(value: unknown, maps: ReadonlySet<string> = MAP_FIELDS): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (value instanceof Date) return value.toISOString();
  if (isObject(value)) {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) =>
        maps.has(k) && isObject(v)
          ? `<${k}>${Object.entries(v)
              .map(
                ([mk, mv]) =>
                  `<entry><key>${escapeXml(mk)}</key><value>${escapeXml(String(mv))}</value></entry>`,
              )
              .join('')}</${k}>`
          : `<${k}>${toXml(v)}</${k}>`,
      )
      .join('');
  }
  return escapeXml(String(value));
}

/** Fields whose shape is a map rather than a structure (botocore: AuthenticationRequestExtraParams). */
const MAP_FIELDS = new Set(['AuthenticationRequestExtraParams']);

export function queryAnswer(action: string, result: JsonObject): HttpReply {
  const requestId = randomUUID();
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<${action}Response xmlns="${ELBV2_NAMESPACE}">` +
      `<${action}Result>${toXml(result)}</${action}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
      `</${action}Response>`,
  };
}

export function queryError(error: AwsError): HttpReply {
  const requestId = randomUUID();
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<ErrorResponse xmlns="${ELBV2_NAMESPACE}"><Error><Type>Sender</Type>` +
      `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** Readers of the parsed tree: every value arrives as a string. */
export function text(input: JsonObject, key: string): string | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw validationError(`${key} must be a string`);
  return value;
}

export function required(input: JsonObject, key: string): string {
  const value = text(input, key);
  if (value === undefined || value === '') {
    throw validationError(
      `1 validation error detected: Value null at '${lowerFirst(key)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export function integer(input: JsonObject, key: string): number | undefined {
  const value = text(input, key);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw validationError(`${key} must be an integer`);
  return n;
}

export function list(input: JsonObject, key: string): unknown[] {
  const value = input[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw validationError(`${key} must be a list`);
  return value;
}

export function strings(input: JsonObject, key: string): string[] {
  const values = list(input, key);
  if (values.some((v) => typeof v !== 'string')) throw validationError(`${key} must be strings`);
  return values as string[];
}

export function objects(input: JsonObject, key: string): JsonObject[] {
  const values = list(input, key);
  if (values.some((v) => !isObject(v))) throw validationError(`${key} must be structures`);
  return values as JsonObject[];
}

export const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** `PageSize` (1 to `max`) and `Marker`, as Describe* page. */
export function page<T>(input: JsonObject, all: T[], max: number): { items: T[]; marker?: string } {
  const size = integer(input, 'PageSize') ?? max;
  if (size < 1 || size > max) throw validationError(`PageSize must be between 1 and ${max}`);
  const marker = text(input, 'Marker');
  const start = marker === undefined ? 0 : Number(Buffer.from(marker, 'base64url').toString());
  if (!Number.isInteger(start) || start < 0 || start > all.length)
    throw validationError('Invalid Marker');
  const end = start + size;
  return end < all.length
    ? { items: all.slice(start, end), marker: Buffer.from(String(end)).toString('base64url') }
    : { items: all.slice(start) };
}

/** ELB tags: key 1–128, value 0–256, letters, digits, spaces and `_ . : / = + - @`; `aws:` reserved. */
export function parseTags(input: JsonObject): Tag[] {
  const tags = objects(input, 'Tags').map((raw) => ({
    Key: required(raw, 'Key'),
    Value: text(raw, 'Value') ?? '',
  }));
  const pattern = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
  const keys = new Set<string>();
  for (const { Key, Value } of tags) {
    if (Key.length > 128 || Value.length > 256 || !pattern.test(Key) || !pattern.test(Value)) {
      throw validationError(
        `Tag '${Key}' has a key or value that is too long or has characters that are not allowed`,
      );
    }
    if (Key.toLowerCase().startsWith('aws:'))
      throw validationError('Tag keys starting with aws: are reserved');
    if (keys.has(Key)) throw new AwsError('DuplicateTagKeys', `Tag key '${Key}' is duplicated`);
    keys.add(Key);
  }
  if (tags.length > 50)
    throw new AwsError(
      'TooManyTags',
      "You've reached the limit on the number of tags for this resource",
    );
  return tags;
}

/**
 * What a Describe call names: by ARNs (each must exist: `byArn` throws), else by names
 * (each must exist: `notFound(name)` is thrown), else every one of `all`.
 */
export function selectByArnsOrNames<T extends { name: string }>(
  request: { arns: string[]; names: string[] },
  all: T[],
  byArn: (arn: string) => T,
  notFound: (name: string) => AwsError,
): T[] | undefined {
  if (request.arns.length > 0) return request.arns.map(byArn);
  if (request.names.length === 0) return undefined;
  return request.names.map((name) => {
    const found = all.find((item) => item.name === name);
    if (!found) throw notFound(name);
    return found;
  });
}
