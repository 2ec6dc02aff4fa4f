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

  it('reads the stopped tasks only for an MR with no app running, each task once', async () => {
    await using w = await loggingWorld();
    w.addMergeRequest(42);
    w.addMergeRequest(43);
    const ended = await launchedFromSlack(w, 43);
    w.aws.containerLog(ended.arn, 'web', ['GET /old 200']);
    const cli = async (mr: string) => {
      const stdout: string[] = [];
      const code = await runCli(['logs', mr], {
        env: w.env,
        stdout: (text) => stdout.push(text),
        stderr: () => {},
        clock: w.clock,
      });
      return { code, out: stdout.join('') };
    };
    const quiet = { env: w.env, stdout: () => {}, stderr: () => {}, clock: w.clock };
    expect(await runCli(['stop', '43'], quiet)).toBe(0);
    const running = await launchedFromSlack(w, 42);
    w.aws.containerLog(running.arn, 'web', ['GET /cart 200']);
    const described = (from: number) =>
      w.aws
        .callsTo('DescribeTasks')
        .slice(from)
        .flatMap((call) => call.tasks as string[]);

    let before = w.aws.callsTo('DescribeTasks').length;
    expect(await cli('42')).toMatchObject({
      code: 0,
      out: expect.stringContaining('GET /cart 200'),
    });
    expect(described(before)).toEqual([running.arn]);

    before = w.aws.callsTo('DescribeTasks').length;
    expect(await cli('43')).toMatchObject({
      code: 0,
      out: expect.stringContaining('GET /old 200'),
    });
    // The running ones once, then the stopped ones: none twice.
    const tasks = described(before);
    expect(tasks).toContain(ended.arn);
    expect(new Set(tasks).size).toBe(tasks.length);
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

  describe('long and sparse logs', () => {
    /** The app crashes with these lines logged; the channel's notice of it. */
    async function crashNotice(w: BotWorld, lines: string[]) {
      w.addMergeRequest(42);
      const app = await launchedFromSlack(w, 42);
      w.aws.containerLog(app.arn, 'web', lines);
      w.aws.exitContainer(app.arn, 'web', 1, 'Error: boom');
      w.clock.advance(60_000);
      await w.bot.watcher.round();
      const [notice, ...more] = app.replies().filter((m) => m.reply_broadcast);
      expect(more).toHaveLength(0);
      return { app, notice: notice as NonNullable<typeof notice> };
    }

    /** The code sections of a message, fences off. */
    const codeOf = (message: { blocks?: unknown[] | undefined }) =>
      ((message.blocks ?? []) as { type: string; text?: { text: string } }[])
        .map((b) => b.text?.text ?? '')
        .filter((text) => text.startsWith('```'))
        .map((text) => text.slice(3, -3));

    it('shows a crash line longer than a section whole, its cause at the end included', async () => {
      await using w = await loggingWorld();
      const detail = 'x'.repeat(4_000);
      const line = `{"level":"fatal","detail":"${detail}","cause":"connect ECONNREFUSED 10.0.3.7:5432"}`;
      const { notice } = await crashNotice(w, ['Server starting', line]);
      const code = codeOf(notice);
      expect(code.length).toBeGreaterThan(1);
      expect(code[0]).toBe('Server starting');
      expect(code.slice(1).join('')).toBe(line);
      expect(shown(notice)).toContain('"cause":"connect ECONNREFUSED 10.0.3.7:5432"}');
      expect(shown(notice)).not.toContain('did not fit');
    });

    it('too much to show: the newest lines whole, the oldest left out with a note', async () => {
      await using w = await loggingWorld();
      const lines = Array.from({ length: 40 }, (_, i) => `line ${i + 1} ${'y'.repeat(1_500)}`);
      const { notice } = await crashNotice(w, lines);
      const text = shown(notice);
      expect(text).toContain(`line 40 ${'y'.repeat(1_500)}`);
      expect(text).not.toContain('line 1 ');
      expect(text).toMatch(/[0-9]+ older lines did not fit here\./);
      const shownLines = codeOf(notice).join('\n').split('\n');
      expect(shownLines.length).toBeGreaterThan(5);
      expect(shownLines).toEqual(lines.slice(-shownLines.length));
      expect((notice.blocks ?? []).length).toBeLessThanOrEqual(50);
    });

    it('reads back past empty pages to what the app logged before a quiet stretch', async () => {
      await using w = await loggingWorld();
      w.aws.splitLogPagesEvery(60_000);
      w.addMergeRequest(42);
      const app = await launchedFromSlack(w, 42);
      w.aws.containerLog(app.arn, 'web', [
        'Server starting',
        'Error: worker died: out of file handles',
      ]);
      w.clock.advance(5 * 60_000);
      await w.slack.sendSlashCommand(w.eventsUrl, { text: 'logs 42', user_id: ALICE });
      const answer = await eventually(() => {
        const body = w.slack.responses().at(-1)?.body as PrivateAnswer | undefined;
        expect(body && shown(body)).toContain('The last lines');
        return body as PrivateAnswer;
      });
      expect(shown(answer)).toContain('Error: worker died: out of file handles');
      expect(shown(answer)).not.toContain('logged nothing');
      const calls = w.aws.callsTo('GetLogEvents');
      expect(calls.length).toBeGreaterThan(1);
      expect(calls.length).toBeLessThanOrEqual(10);
    });

    it('an app that logged nothing is told so after reading to the start of its stream, once', async () => {
      await using w = await loggingWorld();
      w.addMergeRequest(42);
      const app = await launchedFromSlack(w, 42);
      w.aws.containerLog(app.arn, 'web', []);
      await w.slack.sendSlashCommand(w.eventsUrl, { text: 'logs 42', user_id: ALICE });
      await eventually(() =>
        expect(shown(w.slack.responses().at(-1)?.body as PrivateAnswer)).toContain(
          'has logged nothing yet',
        ),
      );
      expect(w.aws.callsTo('GetLogEvents')).toHaveLength(2);
    });
  });
});
