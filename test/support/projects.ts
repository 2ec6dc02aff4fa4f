import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoLoggingTaskDefinition } from '@review-app-bot/sandbox';
import type { Env } from '../../src/config/config.js';
import type { World } from './world.js';

/** A second project of the same GitLab, on the same cluster, with its own base task definition. */
export const API_PROJECT = { id: 8, path: 'acme/api', registryId: 2, family: 'api-web' } as const;

/**
 * acme/api beside the world's acme/shop: its GitLab project, registry repository and
 * base task definition. `addMergeRequest` gives it an open MR with a pushed image.
 */
export function addApiProject(world: World) {
  world.gitlab.addProject({ id: API_PROJECT.id, path: API_PROJECT.path });
  const repository = world.gitlab.addRegistryRepository(API_PROJECT.id, {
    id: API_PROJECT.registryId,
  });
  // It logs to CloudWatch, so that `review-app logs` has something to read there.
  const base = demoLoggingTaskDefinition(API_PROJECT.family);
  world.aws.addTaskDefinition({
    ...base,
    family: API_PROJECT.family,
    containerDefinitions: base.containerDefinitions.map((container) => ({
      ...container,
      image: 'registry.example.test/acme/api:main',
    })),
  });
  let count = 0;
  return {
    addMergeRequest(iid: number, title = `API change ${iid}`) {
      count += 1;
      const sha = `${(0xa000 + count).toString(16)}${'cd'.repeat(18)}`;
      const pipeline = world.gitlab.addPipeline(API_PROJECT.id, {
        id: 5000 + iid,
        status: 'success',
        sha,
      });
      world.gitlab.addMergeRequest(API_PROJECT.id, {
        iid,
        title,
        source_branch: `api/${iid}`,
        sha,
        head_pipeline: { id: pipeline.id, status: pipeline.status },
        author: { username: 'dev', name: 'Dev Eloper' },
      });
      world.gitlab.addRegistryTag(API_PROJECT.id, API_PROJECT.registryId, sha);
      return { sha, image: `${repository.location}:${sha}` };
    },
  };
}

/** The two projects' review-apps.yml, as an operator writes it. */
export const TWO_PROJECTS = [
  'projects:',
  '  acme/shop:',
  '    ECS_TASK_DEFINITION: shop-web',
  `  ${API_PROJECT.path}:`,
  `    ECS_TASK_DEFINITION: ${API_PROJECT.family}`,
].join('\n');

/**
 * A review-apps.yml on disk, as REVIEW_APP_CONFIG names it; removed when disposed.
 * Its env, laid over the world's, unsets ECS_TASK_DEFINITION and GITLAB_PROJECT: the file
 * sets them per project, as an operator with a file would.
 */
export function projectFile(text: string): { env: Env; path: string } & Disposable {
  const dir = mkdtempSync(join(tmpdir(), 'review-apps-'));
  const path = join(dir, 'review-apps.yml');
  writeFileSync(path, `${text}\n`);
  return {
    path,
    env: { ECS_TASK_DEFINITION: undefined, GITLAB_PROJECT: undefined, REVIEW_APP_CONFIG: path },
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}
