import { demoLoggingTaskDefinition } from '@review-app-bot/sandbox';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { ACTIONS, buttonValue } from '../../src/slack/ids.js';
import {
  ALICE,
  type BotWorld,
  buttons,
  CHANNEL,
  eventually,
  launchedFromSlack,
  type PrivateAnswer,
  shown,
  startBotWorld,
} from '../support/bot.js';

/** The demo app, logging to CloudWatch through the awslogs driver as the ECS console sets it up. */
async function loggingWorld(options: { autoAdvance?: boolean } = {}): Promise<BotWorld> {
  const w = await startBotWorld({ ...options, env: { ECS_TASK_DEFINITION: 'shop-web-logged' } });
  w.aws.addTaskDefinition(demoLoggingTaskDefinition());
  return w;
}

const CRASH = [
  'Server starting',
  'Connecting to postgres://shop:hunter2@db.internal/shop',
  'STRIPE_API_KEY=sk_live_abcdef123456',
  'Error: listen EADDRINUSE: address already in use :::3000',
  '    at Server.listen (node:net:1872:14)',
];

describe('logs of a review app', () => {
  it('shows the last lines in the thread when the app crashes, secrets hidden, with a Logs button', async () => {
    await using w = await loggingWorld();
    w.addMergeRequest(42, { title: 'Feature 42' });
    const app = await launchedFromSlack(w, 42);
    w.aws.containerLog(app.arn, 'web', CRASH);
    w.aws.exitContainer(app.arn, 'web', 1, 'Error: listen EADDRINUSE');
    w.clock.advance(60_000);
    await w.bot.watcher.round();

    const [notice, ...more] = app.replies().filter((m) => m.reply_broadcast);
    expect(more).toHaveLength(0);
    const text = shown(notice as never);
    expect(text).toContain('```Server starting\n');
    expect(text).toContain('Error: listen EADDRINUSE: address already in use :::3000');
    expect(text).toContain('postgres://[redacted]@db.internal/shop');
    expect(text).toContain('STRIPE_API_KEY=[redacted]');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('sk_live');
    expect(buttons(notice as never).map((b) => b.text)).toEqual(['Relaunch', 'Logs']);
    expect(w.aws.callsTo('GetLogEvents')[0]).toMatchObject({
      logGroupName: '/ecs/shop-web',
      logStreamName: `ecs/web/${app.arn.split('/').at(-1)}`,
    });

    // The Logs button answers privately, also after the app has stopped.
    await w.slack.sendBlockAction(w.eventsUrl, {
      user_id: ALICE,
      channel_id: CHANNEL,
      message_ts: (notice as { ts: string }).ts,
      thread_ts: app.parent.ts,
      actions: [{ action_id: ACTIONS.logs, value: buttonValue(42) }],
    });
    const privately = await eventually(() => {
      const found = w.slack.ephemerals().find((e) => shown(e).includes('The last lines'));
      expect(found).toBeDefined();
      return found as NonNullable<typeof found>;
    });
    expect(privately.user).toBe(ALICE);
    expect(shown(privately)).toContain('at Server.listen');
  });

  it('offers no Logs button under a crash when the app logged nothing', async () => {
    await using w = await loggingWorld();
    w.addMergeRequest(42);
    const app = await launchedFromSlack(w, 42);
    w.aws.exitContainer(app.arn, 'web', 1, 'Essential container exited');
    w.clock.advance(60_000);
    await w.bot.watcher.round();

    const [notice, ...more] = app.replies().filter((m) => m.reply_broadcast);
    expect(more).toHaveLength(0);
    expect(shown(notice as never)).toContain('has stopped');
    expect(shown(notice as never)).not.toContain('The last lines it logged');
    expect(buttons(notice as never).map((b) => b.text)).toEqual(['Relaunch']);
  });

  it('shows them on demand with /review-app logs 42', async () => {
    await using w = await loggingWorld();
    w.addMergeRequest(42);
    const app = await launchedFromSlack(w, 42);
    w.aws.containerLog(app.arn, 'web', ['GET / 200 3ms', 'GET /cart 500 12ms']);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: 'logs !42', user_id: ALICE });
    const answer = await eventually(() => {
      const body = w.slack.responses().at(-1)?.body as PrivateAnswer | undefined;
      expect(body && shown(body)).toContain('GET /cart 500 12ms');
      return body as PrivateAnswer;
    });
    expect(answer.response_type).toBe('ephemeral');
  });

  it('prints them with review-app logs 42, scrubbed', async () => {
    await using w = await loggingWorld();
    w.addMergeRequest(42);
    const app = await launchedFromSlack(w, 42);
    w.aws.containerLog(app.arn, 'web', CRASH);
    const stdout: string[] = [];
    const code = await runCli(['logs', '42'], {
      env: w.env,
      stdout: (text) => stdout.push(text),
      stderr: () => {},
      clock: w.clock,
    });
    expect(code).toBe(0);
    expect(stdout.join('')).toContain('STRIPE_API_KEY=[redacted]\nError: listen EADDRINUSE');
    expect(stdout.join('')).not.toContain('hunter2');
  });

  it('says how to get logs when the container does not log to CloudWatch', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    await launchedFromSlack(w, 42);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: 'logs 42', user_id: ALICE });
    await eventually(() =>
      expect(shown(w.slack.responses().at(-1)?.body as PrivateAnswer)).toContain(
        'needs the awslogs log driver',
      ),
    );
    expect(w.aws.callsTo('GetLogEvents')).toHaveLength(0);
  });

  it('shows what an app printed when it crashed while starting', async () => {
    await using w = await loggingWorld({ autoAdvance: false });
    w.addMergeRequest(42);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: ALICE });
    await eventually(() => expect(w.clock.waiting).toBe(1));
    const arn = w.aws.tasks()[0]?.taskArn as string;
    // It starts, prints, and dies before the launch looks again.
    w.aws.runTaskNow(arn);
    w.aws.containerLog(arn, 'web', ['Error: Cannot find module ./server.js']);
    w.aws.exitContainer(arn, 'web', 1, 'Essential container exited');
    w.clock.advance(5_000);
    const parent = w.slack.messages(CHANNEL).find((m) => !m.thread_ts);
    // One notice, broadcast: why, what it printed, Try again and Logs.
    await eventually(() => {
      const thread = w.slack.thread(CHANNEL, parent?.ts as string);
      expect(shown(thread[0] as never)).toContain('Could not launch');
      const [notice, ...more] = thread.slice(1);
      expect(more).toHaveLength(0);
      expect(notice?.reply_broadcast).toBe(true);
      expect(shown(notice as never)).toContain('Cannot find module');
      expect(buttons(notice as never).map((b) => b.text)).toEqual(['Try again', 'Logs']);
    });
  });
});
