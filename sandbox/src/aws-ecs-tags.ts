import { invalidParameter, isObject } from './aws-shared.js';

export interface EcsTag {
  key: string;
  value: string;
}

export const MAX_TAGS = 50;

/** Letters, digits and spaces (any script), plus `_ . : / = + - @`, as ECS documents. */
const TAG_CHARACTERS = /^[\p{L}\p{N}\p{Z}_.:/=+\-@]*$/u;

/**
 * Checks tags the way ECS does (TagResource, RunTask, RegisterTaskDefinition)
 * and answers its InvalidParameterException, so that an encoding mistake in
 * the caller shows up in tests rather than in production.
 */
export function validateTags(value: unknown, field = 'tags'): EcsTag[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameter(`${field} must be a list.`);
  if (value.length > MAX_TAGS) {
    throw invalidParameter(`Too many tags: ${value.length}. At most ${MAX_TAGS} are allowed.`);
  }
  const seen = new Set<string>();
  return value.map((tag) => {
    if (!isObject(tag) || typeof tag.key !== 'string') {
      throw invalidParameter('Tag keys must be between 1 and 128 characters.');
    }
    const key = tag.key;
    const tagValue = tag.value ?? '';
    if (typeof tagValue !== 'string')
      throw invalidParameter(`Tag value of ${key} must be a string.`);
    if (key.length < 1 || key.length > 128) {
      throw invalidParameter('Tag keys must be between 1 and 128 characters.');
    }
    if (tagValue.length > 256) {
      throw invalidParameter(`Tag value of ${key} must be at most 256 characters.`);
    }
    if (!TAG_CHARACTERS.test(key)) {
      throw invalidParameter(
        `Tag key ${JSON.stringify(key)} has characters that are not allowed. ` +
          'Use letters, numbers, spaces and _ . : / = + - @.',
      );
    }
    if (!TAG_CHARACTERS.test(tagValue)) {
      throw invalidParameter(
        `Tag value of ${key} has characters that are not allowed. ` +
          'Use letters, numbers, spaces and _ . : / = + - @.',
      );
    }
    if (isAwsTagKey(key)) {
      throw invalidParameter('Tag keys starting with aws: are reserved for AWS use.');
    }
    if (seen.has(key)) throw invalidParameter(`Duplicate tag key: ${key}.`);
    seen.add(key);
    return { key, value: tagValue };
  });
}

const isAwsTagKey = (key: string) => key.toLowerCase().startsWith('aws:');

/** `existing` with `changes` applied (same key replaced), checked against the 50-tag limit. */
export function mergeTags(existing: readonly EcsTag[], changes: readonly EcsTag[]): EcsTag[] {
  const merged = new Map(existing.map((tag) => [tag.key, tag.value]));
  for (const tag of changes) merged.set(tag.key, tag.value);
  // Tags AWS adds itself (`aws:ecs:clusterName`...) do not count against the limit.
  const counted = [...merged.keys()].filter((key) => !isAwsTagKey(key)).length;
  if (counted > MAX_TAGS) {
    throw invalidParameter(`Too many tags: ${counted}. At most ${MAX_TAGS} are allowed.`);
  }
  return [...merged].map(([key, value]) => ({ key, value }));
}
