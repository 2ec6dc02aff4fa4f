import type { MergeRequest } from './types.js';

/** CI_COMMIT_REF_SLUG as GitLab computes it. */
export function refSlug(ref: string): string {
  const lower = ref.toLowerCase().replace(/[^a-z0-9]/g, '-');
  // Cut to 63 bytes first (all ASCII now), then trim dashes at both ends.
  return lower.slice(0, 63).replace(/^-+|-+$/g, '');
}

export function templateValues(mr: MergeRequest): Record<string, string> {
  return {
    sha: mr.sha,
    short_sha: mr.sha.slice(0, 8),
    // CI_COMMIT_SHA of the head pipeline: a merge commit with merged-results pipelines.
    pipeline_sha: mr.headPipeline?.sha || mr.sha,
    ref_slug: refSlug(mr.sourceBranch),
    branch: mr.sourceBranch,
    mr: String(mr.iid),
  };
}

export const TEMPLATE_PLACEHOLDERS = [
  'sha',
  'short_sha',
  'pipeline_sha',
  'ref_slug',
  'branch',
  'mr',
];

/** The MR's head commit, and the merge commit a merged-results pipeline built, if different. */
export const DEFAULT_TAG_TEMPLATE = '{sha},{pipeline_sha}';

export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** Unknown placeholders in a template, for configuration checks. */
export function unknownPlaceholders(template: string, known: string[]): string[] {
  return [...template.matchAll(/\{([^}]*)\}/g)]
    .map((m) => m[1] as string)
    .filter((name) => !known.includes(name));
}

/** Tag candidates from a comma-separated template, in order, without duplicates. */
export function tagCandidates(template: string, mr: MergeRequest): string[] {
  const values = templateValues(mr);
  const tags = template
    .split(',')
    .map((part) => fillTemplate(part.trim(), values))
    .filter((tag) => tag !== '')
    // A docker tag allows [A-Za-z0-9_.-], at most 128 characters; branch names may not fit.
    .map((tag) => tag.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 128));
  return [...new Set(tags)];
}
