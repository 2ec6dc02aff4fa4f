/** Helpers shared by the ECS and EC2 halves of the AWS stand-in. */

/** An error the stand-in answers the way the real service would (`code` is the wire name). */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export const clientError = (message: string) => new AwsError('ClientException', message);
export const invalidParameter = (message: string) =>
  new AwsError('InvalidParameterException', message);

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The request body as an object, or a SerializationException as ECS gives for bad JSON. */
export function parseJsonBody(body: string): JsonObject {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsError('SerializationException', 'Invalid JSON in request body');
  }
  if (!isObject(parsed)) throw new AwsError('SerializationException', 'Expected a JSON object');
  return parsed;
}

export function optionalString(input: JsonObject, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${key} must be a string.`);
  return value;
}

export function optionalNumber(input: JsonObject, key: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidParameter(`${key} must be a number.`);
  }
  return value;
}

export function optionalStringList(input: JsonObject, key: string): string[] | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalidParameter(`${key} must be a list of strings.`);
  }
  return value as string[];
}

export function optionalList(input: JsonObject, key: string): unknown[] | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidParameter(`${key} must be a list.`);
  return value;
}

/** Epoch milliseconds to the epoch seconds AWS JSON protocols carry. */
export const epochSeconds = (ms: number) => ms / 1000;

/** Opaque pagination tokens: an offset bound to the filter that produced it. */
export function encodeToken(offset: number, scope: string): string {
  return Buffer.from(JSON.stringify({ offset, scope })).toString('base64url');
}

export function decodeToken(token: string | undefined, scope: string): number {
  if (token === undefined || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (isObject(parsed) && parsed.scope === scope && typeof parsed.offset === 'number') {
      return parsed.offset;
    }
  } catch {
    // fall through
  }
  throw invalidParameter('Invalid nextToken.');
}

export function pageSize(maxResults: number | undefined, fallback = 100): number {
  if (maxResults === undefined) return fallback;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
    throw invalidParameter('maxResults must be between 1 and 100.');
  }
  return maxResults;
}
