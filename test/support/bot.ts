import { type AwsStandIn, type SlackStandIn, startSlackStandIn } from '@review-app-bot/sandbox';
import { expect, vi } from 'vitest';
import { type RunningBot, startBot } from '../../src/bot.js';
import type { Env } from '../../src/config/config.js';
import {
  ACTIONS,
  actionPattern,
  BLOCKS,
  buttonActionId,
  buttonValue,
  readButtonValue,
} from '../../src/slack/ids.js';
import { startWorld, taskTags, type World } from './world.js';

export const CHANNEL = 'C_REVIEWS';
export const ALICE = 'U_ALICE';
export const BOB = 'U_BOB';

export interface BotWorld extends World {
  slack: SlackStandIn;
  bot: RunningBot;
  /** Where Slack posts events in HTTP mode. */
  eventsUrl: string;
  /** Every line the bot logged. */
  logs: string[];
  /** The shared load balancer, when the bot was started with one. */
  loadBalancer?: ReturnType<AwsStandIn['addLoadBalancer']>;
  /** The bot is restarted over the same stand-ins (a redeploy). */
  restart(): Promise<RunningBot>;
}

/** The real bot (Bolt in HTTP mode) with GitLab, AWS and Slack stand-ins around it. */
export async function startBotWorld(
  options: { env?: Env; socket?: boolean; autoAdvance?: boolean; loadBalancer?: boolean } = {},
): Promise<BotWorld> {
  const world = await startWorld({ autoAdvance: options.autoAdvance ?? true });
  const slack = await startSlackStandIn();
  // Set up as the operator does once, before the bot starts.
  const loadBalancer = options.loadBalancer ? world.aws.addLoadBalancer() : undefined;
  const logs: string[] = [];
  const env: Env = {
    ...world.env,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    ...(options.socket
      ? { SLACK_APP_TOKEN: 'xapp-test' }
      : { SLACK_SIGNING_SECRET: 'test-signing-secret' }),
    ...(loadBalancer
      ? {
          LOAD_BALANCER_LISTENER_ARN: loadBalancer.listenerArn,
          REVIEW_APP_DOMAIN: 'review.example.com',
        }
      : {}),
    ...options.env,
  };
  const start = () =>
    startBot({
      env,
      clock: world.clock,
      manualWatch: true,
      writeLog: (line) => logs.push(line),
    });
  let bot = await start();
  const botWorld: BotWorld = {
    ...world,
    env,
    slack,
    bot,
    logs,
    ...(loadBalancer ? { loadBalancer } : {}),
    eventsUrl: `http://127.0.0.1:${bot.port}/slack/events`,
    async restart() {
      await bot.stop();
      bot = await start();
      botWorld.bot = bot;
      botWorld.eventsUrl = `http://127.0.0.1:${bot.port}/slack/events`;
      return bot;
    },
    async [Symbol.asyncDispose]() {
      await bot.stop();
      await slack.close();
      await world[Symbol.asyncDispose]();
    },
  };
  return botWorld;
}

/** Wait until `check` stops throwing: for work the bot does after acknowledging. */
export function eventually<T>(check: () => T): Promise<T> {
  // A bound, not a wait: passing checks return at once. It is generous because a
  // launch polled through ten virtual minutes makes a hundred real HTTP calls,
  // which a loaded two-core machine can stretch past a few seconds.
  return vi.waitFor(check, { timeout: 15_000, interval: 10 });
}

type Block = {
  type: string;
  text?: { text: string };
  elements?: { text?: unknown; action_id?: string; url?: string; value?: string }[];
};

/** All the text a message shows, blocks included. */
export function shown(message: { text: string; blocks?: unknown[] | undefined }): string {
  const parts = [message.text];
  for (const block of (message.blocks ?? []) as Block[]) {
    if (block.text?.text) parts.push(block.text.text);
    for (const element of block.elements ?? []) {
      const text = element.text as { text?: string } | string | undefined;
      parts.push(typeof text === 'string' ? text : (text?.text ?? ''));
    }
  }
  return parts.join('\n');
}

/** The buttons of a message, by action id. */
export function buttons(message: { blocks?: unknown[] | undefined }) {
  return ((message.blocks ?? []) as Block[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .map((e) => ({
      action_id: e.action_id as string,
      text: (e.text as { text: string }).text,
      value: e.value,
      url: e.url,
    }));
}

export type PrivateAnswer = { text: string; blocks: unknown[]; response_type: string };

/** The private answer to the last slash command (posted to its response_url). */
export function lastAnswer(w: BotWorld): Promise<PrivateAnswer> {
  return eventually(() => {
    const response = w.slack.responses().at(-1);
    expect(response).toBeDefined();
    return response?.body as PrivateAnswer;
  });
}

/** An open MR titled `Feature <mr>`, launched from Slack and running. */
export async function launchedMr(w: BotWorld, mr: number) {
  w.addMergeRequest(mr, { title: `Feature ${mr}` });
  return launchedFromSlack(w, mr);
}

/** Move virtual time forward, then let the watcher take one look. */
export async function watchAfter(w: BotWorld, ms: number) {
  w.clock.advance(ms);
  await w.bot.watcher.round();
}

/** Launch !mr from Slack as `user` and wait until its status reply and the channel show it running. */
export async function launchedFromSlack(w: BotWorld, mr: number, user = ALICE) {
  await w.slack.sendSlashCommand(w.eventsUrl, { text: String(mr), user_id: user });
  return eventually(() => {
    const parent = w.slack
      .messages(CHANNEL)
      .find((m) => !m.thread_ts && shown(m).includes(`!${mr} `));
    const status = parent && w.slack.thread(CHANNEL, parent.ts)[0];
    expect(status && shown(status)).toContain('Running');
    expect(parent && shown(parent)).toContain('*running* until');
    const found = parent as NonNullable<typeof parent>;
    const task = w.aws
      .tasks()
      .find((t) => taskTags(w.aws, t.taskArn as string)['review-app:mr'] === String(mr));
    return {
      parent: found,
      status: status as NonNullable<typeof status>,
      arn: task?.taskArn as string,
      replies: () => w.slack.thread(CHANNEL, found.ts),
    };
  });
}

/** Alice submits the launch modal `viewId` with `mr` picked. */
export function submitModal(w: BotWorld, viewId: string, mr: number) {
  return w.slack.sendViewSubmission(w.eventsUrl, {
    user_id: ALICE,
    view_id: viewId,
    view: {
      state: {
        values: {
          [BLOCKS.pickMr]: {
            [ACTIONS.pickMr]: {
              type: 'external_select',
              selected_option: { text: { type: 'plain_text', text: `!${mr}` }, value: String(mr) },
            },
          },
        },
      },
    },
  });
}

/**
 * `user` clicks a button of a bot message in the channel, for !`mr`: the one
 * the message shows for `action` (an ACTIONS name, or a button's whole action_id).
 */
export function clickButton(
  w: BotWorld,
  message: { ts: string; thread_ts?: string | undefined },
  action: string,
  mr: number,
  user = ALICE,
) {
  const stored = w.slack.messages(CHANNEL).find((m) => m.ts === message.ts);
  const whole = /:\d+(:[0-9a-f]{8})?$/.test(action);
  const shownButton = buttons(stored ?? {}).find(
    (b) =>
      (whole ? b.action_id === action : actionPattern(action).test(b.action_id)) &&
      readButtonValue(b.value)?.mr === mr,
  );
  // What the button shown carries (its project too); a bare MR for one no longer shown.
  const value = shownButton?.value ?? buttonValue(mr);
  return w.slack.sendBlockAction(w.eventsUrl, {
    user_id: user,
    channel_id: CHANNEL,
    message_ts: message.ts,
    ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    actions: [
      { action_id: shownButton?.action_id ?? (whole ? action : buttonActionId(action, mr)), value },
    ],
  });
}
