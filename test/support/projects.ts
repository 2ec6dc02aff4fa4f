import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoLoggingTaskDefinition } from '@review-app-bot/sandbox';
import { expect } from 'vitest';
import type { Env } from '../../src/config/config.js';
import { readButtonValue } from '../../src/slack/ids.js';
import {
  ALICE,
  type BotWorld,
  buttons,
  eventually,
  type PrivateAnswer,
  shown,
  startBotWorld,
} from './bot.js';
import { taskTags, type World } from './world.js';

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

/** Channel ids as Slack makes them (the file checks their shape). */
export const SHOP_CHANNEL = 'C0SHOP';
export const API_CHANNEL = 'C0API';
export const SHARED_CHANNEL = 'C0REVIEWS';

/** Two projects, each the default of its channel, both of the shared one. */
export function twoProjects(extra: { shop?: string[]; api?: string[]; defaults?: string[] } = {}) {
  const lines = (settings: string[] = []) => settings.map((line) => `    ${line}`);
  return [
    'defaults:',
    ...(extra.defaults ?? []).map((line) => `  ${line}`),
    '  ECS_CLUSTER: review-apps',
    'projects:',
    '  acme/shop:',
    `    channels: [${SHOP_CHANNEL}, ${SHARED_CHANNEL}]`,
    '    ECS_TASK_DEFINITION: shop-web',
    ...lines(extra.shop),
    '  acme/api:',
    `    channels: [${API_CHANNEL}, ${SHARED_CHANNEL}]`,
    '    ECS_TASK_DEFINITION: api-web',
    ...lines(extra.api),
    '',
  ].join('\n');
}

export interface ProjectsWorld extends BotWorld {
  /** An open MR of acme/api with a built image, as `addMergeRequest` makes one of acme/shop. */
  addApiMergeRequest(iid: number, title?: string): void;
}

/** The real bot serving acme/shop and acme/api from a review-apps.yml, with every stand-in. */
export async function startProjectsWorld(
  options: { file?: string; env?: Env; loadBalancer?: boolean } = {},
): Promise<ProjectsWorld> {
  const file = projectFile(options.file ?? twoProjects());
  const w = await startBotWorld({
    env: { ...file.env, ...options.env },
    ...(options.loadBalancer ? { loadBalancer: true } : {}),
  });
  const api = addApiProject(w);
  for (const channel of [SHOP_CHANNEL, API_CHANNEL, SHARED_CHANNEL])
    w.slack.setMember(channel, true);
  const dispose = w[Symbol.asyncDispose].bind(w);
  return Object.assign(w, {
    addApiMergeRequest(iid: number, title?: string) {
      api.addMergeRequest(iid, title);
    },
    async [Symbol.asyncDispose]() {
      await dispose();
      file[Symbol.dispose]();
    },
  });
}

/** `/review-app <text>` typed by `user` in `channel`. */
export function command(w: BotWorld, channel: string, text: string, user = ALICE) {
  return w.slack.sendSlashCommand(w.eventsUrl, { text, user_id: user, channel_id: channel });
}

/** `/review-app <text>`, and the private answer it gets (the next one posted to a response_url). */
export async function answerTo(w: BotWorld, channel: string, text: string, user = ALICE) {
  const before = w.slack.responses().length;
  await command(w, channel, text, user);
  return eventually(() => {
    const response = w.slack.responses()[before];
    expect(response).toBeDefined();
    return response?.body as PrivateAnswer;
  });
}

/** The running task of `project`'s !`mr`, by its tags. */
export function taskOf(w: BotWorld, project: string, mr: number) {
  return w.aws.tasks().find((task) => {
    const tags = taskTags(w.aws, task.taskArn as string);
    return tags['review-app:project'] === project && tags['review-app:mr'] === String(mr);
  });
}

/** Wait until `channel` shows a launch of `ref` (`shop!1`) running; its parent and status. */
export function runningIn(w: BotWorld, channel: string, ref: string) {
  return eventually(() => {
    const parent = w.slack
      .messages(channel)
      .find((m) => !m.thread_ts && shown(m).includes(`${ref} `));
    expect(parent && shown(parent)).toContain('*running* until');
    const found = parent as NonNullable<typeof parent>;
    const status = w.slack.thread(channel, found.ts)[0];
    expect(status && shown(status)).toContain('Running');
    return { parent: found, status: status as NonNullable<typeof status> };
  });
}

/** `user` clicks the button of `message` in `channel` whose action is `action` for `project`. */
export function click(
  w: BotWorld,
  channel: string,
  message: { ts: string; thread_ts?: string | undefined; blocks?: unknown[] | undefined },
  action: string,
  project: string,
  user = ALICE,
  options: { ephemeral?: boolean } = {},
) {
  const button = buttons(message).find(
    (b) => b.action_id.startsWith(`${action}:`) && readButtonValue(b.value)?.project === project,
  );
  expect(button, `a ${action} button for ${project}`).toBeDefined();
  const found = button as NonNullable<typeof button>;
  return w.slack.sendBlockAction(w.eventsUrl, {
    user_id: user,
    channel_id: channel,
    message_ts: message.ts,
    ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    actions: [{ action_id: found.action_id, ...(found.value ? { value: found.value } : {}) }],
    // A private answer: Slack marks its container so.
    ...(options.ephemeral
      ? {
          container: {
            type: 'message',
            message_ts: message.ts,
            channel_id: channel,
            is_ephemeral: true,
          },
        }
      : {}),
  });
}

/** `user` clicks a button of a private answer they got in `channel` (an ephemeral message). */
export function clickPrivate(
  w: BotWorld,
  channel: string,
  answer: { blocks?: unknown[] | undefined },
  action: string,
  project: string,
  user = ALICE,
) {
  // An ephemeral has a ts of its own, which no channel message has.
  const ts = `${Math.floor(w.clock.now() / 1000)}.000777`;
  return click(w, channel, { ts, blocks: answer.blocks }, action, project, user, {
    ephemeral: true,
  });
}
