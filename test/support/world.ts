import {
  type AwsStandIn,
  DEMO_CLUSTER,
  DEMO_PROJECT,
  DEMO_REGISTRY_ID,
  DEMO_SECURITY_GROUP,
  DEMO_SUBNET,
  demoTaskDefinition,
  type GitLabStandIn,
  startAwsStandIn,
  startGitLabStandIn,
} from '@review-app-bot/sandbox';
import type { Env } from '../../src/config/config.js';
import { FakeClock } from './fake-clock.js';

// The bot loads EC2's SDK on first use, which takes seconds on a busy machine:
// loaded here once per test file, so that no test's wait for a launch pays for it.
await import('@aws-sdk/client-ec2');

export const PROJECT_ID = DEMO_PROJECT.id;
export const PROJECT_PATH = DEMO_PROJECT.path;
export const REGISTRY_ID = DEMO_REGISTRY_ID;
export const SUBNET = DEMO_SUBNET;
export const SECURITY_GROUP = DEMO_SECURITY_GROUP;

export interface World extends AsyncDisposable {
  clock: FakeClock;
  gitlab: GitLabStandIn;
  aws: AwsStandIn;
  env: Env;
  /** An open MR whose head commit has a successful pipeline and a pushed image. */
  addMergeRequest(
    iid: number,
    options?: {
      title?: string;
      branch?: string;
      sha?: string;
      image?: boolean;
      pipeline?: string | null;
      state?: 'opened' | 'merged' | 'closed';
    },
  ): { sha: string; image: string };
  /**
   * An open MR from a fork (mallory/shop, project 98) the bot's token cannot see, its
   * pipeline passed there: its image is in a registry the bot cannot read.
   */
  addHiddenForkMergeRequest(iid: number, sha: string): void;
}

/** The fork of `addHiddenForkMergeRequest`. */
export const HIDDEN_FORK = { id: 98, path: 'mallory/shop' };

let shaCounter = 0;

/** GitLab and AWS stand-ins seeded like a real project, and the env that points the bot at them. */
export async function startWorld(
  options: { autoAdvance?: boolean; env?: Env; startAt?: number } = {},
): Promise<World> {
  const clock = new FakeClock(options.startAt, { autoAdvance: options.autoAdvance ?? true });
  const gitlab = await startGitLabStandIn();
  const aws = await startAwsStandIn({ now: clock.now });
  gitlab.addProject({ id: PROJECT_ID, path: PROJECT_PATH });
  const repository = gitlab.addRegistryRepository(PROJECT_ID, { id: REGISTRY_ID });
  aws.addTaskDefinition(demoTaskDefinition());
  const env: Env = {
    GITLAB_URL: gitlab.url,
    GITLAB_TOKEN: gitlab.token,
    GITLAB_PROJECT: PROJECT_PATH,
    ECS_CLUSTER: DEMO_CLUSTER,
    ECS_TASK_DEFINITION: 'shop-web',
    ECS_SUBNETS: SUBNET,
    ECS_SECURITY_GROUPS: SECURITY_GROUP,
    ECS_ASSIGN_PUBLIC_IP: 'true',
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test-access-key',
    AWS_SECRET_ACCESS_KEY: 'test-secret-access-key',
    ...options.env,
  };
  return {
    clock,
    gitlab,
    aws,
    env,
    addMergeRequest(iid, mr = {}) {
      shaCounter += 1;
      const sha = mr.sha ?? `${shaCounter.toString(16).padStart(8, '0')}${'ab'.repeat(16)}`;
      const pipelineStatus = mr.pipeline === undefined ? 'success' : mr.pipeline;
      const pipeline = pipelineStatus
        ? gitlab.addPipeline(PROJECT_ID, { id: 1000 + iid, status: pipelineStatus, sha })
        : null;
      gitlab.addMergeRequest(PROJECT_ID, {
        iid,
        title: mr.title ?? `Feature number ${iid}`,
        source_branch: mr.branch ?? `feature/${iid}`,
        sha,
        state: mr.state ?? 'opened',
        head_pipeline: pipeline ? { id: pipeline.id, status: pipeline.status } : null,
        author: { username: 'dev', name: 'Dev Eloper' },
      });
      if (mr.image !== false) gitlab.addRegistryTag(PROJECT_ID, REGISTRY_ID, sha);
      return { sha, image: `${repository.location}:${sha}` };
    },
    addHiddenForkMergeRequest(iid, sha) {
      gitlab.addProject({ ...HIDDEN_FORK, hidden: true });
      gitlab.addMergeRequest(PROJECT_ID, {
        iid,
        title: 'From a fork',
        source_branch: `feature/${iid}`,
        sha,
        head_pipeline: { id: 500 + iid, status: 'success' },
        source_project_id: HIDDEN_FORK.id,
      });
    },
    async [Symbol.asyncDispose]() {
      await Promise.all([gitlab.close(), aws.close()]);
    },
  };
}

/** An ECS error answer as ECS gives it (JSON 1.1, its type in the body and in a header). */
export const ecsErrorReply = (type: string, message: string, status = 400) => ({
  status,
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
  body: JSON.stringify({ __type: type, message }),
});

/** A stand-in task's tags as a record (empty when the task is unknown). */
export function taskTags(aws: AwsStandIn, arn: string | undefined): Record<string, string> {
  const tags = (arn ? (aws.task(arn)?.tags ?? []) : []) as { key: string; value: string }[];
  return Object.fromEntries(tags.map((t) => [t.key, t.value]));
}
