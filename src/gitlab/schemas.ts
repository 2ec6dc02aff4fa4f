import { z } from 'zod';

/** Only the fields of GitLab's answers that the bot uses, checked at the edge. */
const pipelineSchema = z.object({
  id: z.number(),
  status: z.string(),
  /** With merged-results pipelines and merge trains, the merge commit built (CI_COMMIT_SHA). */
  sha: z.string().nullish(),
  web_url: z.string().optional(),
});

export const mergeRequestSchema = z.object({
  iid: z.number(),
  title: z.string(),
  state: z.string(),
  web_url: z.string(),
  source_branch: z.string(),
  sha: z
    .string()
    .nullable()
    .transform((v) => v ?? ''),
  author: z.object({ username: z.string(), name: z.string() }).nullish(),
  head_pipeline: pipelineSchema.nullish(),
  source_project_id: z.number().nullish(),
  target_project_id: z.number().nullish(),
});

export const mergeRequestListSchema = z.array(
  z.object({ iid: z.number(), title: z.string(), source_branch: z.string(), web_url: z.string() }),
);

export const registryRepositorySchema = z.object({
  id: z.number(),
  name: z.string().nullish(),
  path: z.string(),
  location: z.string(),
});

export const registryTagSchema = z.object({
  name: z.string(),
  location: z.string(),
});

const accessSchema = z.object({ access_level: z.number() }).nullish();

/**
 * `GET /projects/:id`; `permissions` tells the token user's role, its own membership and
 * the one through the project's group (each null without one).
 */
export const projectSchema = z.object({
  id: z.number(),
  path_with_namespace: z.string(),
  visibility: z.string().optional(),
  permissions: z.object({ project_access: accessSchema, group_access: accessSchema }).nullish(),
});

/** `GET /personal_access_tokens/self`: the token describing itself (GitLab 16.0+). */
export const tokenSelfSchema = z.object({
  scopes: z.array(z.string()),
  active: z.boolean().optional(),
  expires_at: z.string().nullable().optional(),
});

const userSchema = z.object({ username: z.string(), name: z.string() });

/** The list answer by `iids[]`: who merged is `merge_user` (`merged_by` before GitLab 14.7). */
export const mergeRequestStatusListSchema = z.array(
  z.object({
    iid: z.number(),
    state: z.string(),
    sha: z
      .string()
      .nullish()
      .transform((v) => v ?? ''),
    merge_user: userSchema.nullish(),
    merged_by: userSchema.nullish(),
    closed_by: userSchema.nullish(),
  }),
);
