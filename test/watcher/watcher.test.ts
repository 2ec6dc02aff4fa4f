import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import {
  ALICE,
  type BotWorld,
  buttons,
  CHANNEL,
  eventually,
  launchedMr,
  shown,
  startBotWorld,
  watchAfter,
} from '../support/bot.js';
import { ecsErrorReply, taskTags } from '../support/world.js';

const MINUTE = 60_000;

describe('the watcher', () => {
  it('refreshes the countdown in the status message as time passes', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 1);
    const before = app.status.updates;
    await watchAfter(w, 10 * MINUTE);
    const status = w.slack.messages(CHANNEL).find((m) => m.ts === app.status.ts);
    expect(status?.updates).toBe(before + 1);
    expect(shown(status as never)).toContain('20 minutes left');
    // Within the same minute there is nothing new to show.
    await watchAfter(w, 10_000);
    expect(w.slack.messages(CHANNEL).find((m) => m.ts === app.status.ts)?.updates).toBe(before + 1);
  });

  it('respects Retry-After when Slack rate-limits countdown updates', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 9);
    const updates = () => w.slack.requests.filter((r) => r.operation === 'chat.update').length;
    w.slack.rateLimit('chat.update', 120, 1);
    const before = updates();
    await watchAfter(w, 5 * MINUTE);
    expect(updates()).toBe(before + 1);
    // Slack asked for two minutes: no update is tried before they are up.
    await watchAfter(w, MINUTE);
    expect(updates()).toBe(before + 1);
    await watchAfter(w, MINUTE + 1_000);
    expect(updates()).toBe(before + 2);
    expect(shown(w.slack.messages(CHANNEL).find((m) => m.ts === app.status.ts) as never)).toContain(
      '23 minutes left',
    );
  });

  it('warns the requester five minutes before the deadline, once, with Extend and Stop', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 2);
    await watchAfter(w, 24 * MINUTE);
    expect(app.replies().filter((m) => shown(m).includes('expires'))).toHaveLength(0);
    await watchAfter(w, 1 * MINUTE);
    await watchAfter(w, 1 * MINUTE);
    const warnings = app.replies().filter((m) => shown(m).includes('expires at'));
    expect(warnings).toHaveLength(1);
    expect(shown(warnings[0] as never)).toContain(`<@${ALICE}> the review app for !2 expires at`);
    expect(buttons(warnings[0] as never).map((b) => b.text)).toEqual(['Extend', 'Stop']);
    expect(taskTags(w.aws, app.arn)['review-app:warned']).toBe('true');
  });

  it('stops the app at its deadline and tells the channel once, with Relaunch', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 3);
    await watchAfter(w, 30 * MINUTE);
    expect(w.aws.callsTo('StopTask').map((c) => c.reason)).toEqual([
      'review-app-bot: expired at its deadline',
    ]);
    const notices = app.replies().filter((m) => m.reply_broadcast);
    expect(notices).toHaveLength(1);
    expect(shown(notices[0] as never)).toContain('The review app for !3 Feature 3 has expired.');
    expect(buttons(notices[0] as never).map((b) => b.text)).toEqual(['Relaunch']);
    // Said once: the status reply only ends, the notice says why.
    const status = w.slack.messages(CHANNEL).find((m) => m.ts === app.status.ts);
    expect(shown(status as never)).toContain('Ended at');
    expect(shown(status as never)).not.toContain('expired');
    expect(buttons(status as never)).toEqual([]);

    await watchAfter(w, MINUTE);
    await watchAfter(w, MINUTE);
    expect(app.replies().filter((m) => m.reply_broadcast)).toHaveLength(1);
    expect(w.aws.callsTo('StopTask')).toHaveLength(1);
  });

  it('honours an extended deadline read back from the tags', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 4);
    await w.slack.sendBlockAction(w.eventsUrl, {
      user_id: ALICE,
      channel_id: CHANNEL,
      message_ts: app.status.ts,
      thread_ts: app.parent.ts,
      actions: [{ action_id: 'review_app_extend', value: '{"mr":4}' }],
    });
    await eventually(() =>
      expect(taskTags(w.aws, app.arn)['review-app:soft-deadline']).toBe('2026-11-27T13:00:00.000Z'),
    );
    await watchAfter(w, 31 * MINUTE);
    expect(w.aws.callsTo('StopTask')).toHaveLength(0);
    await watchAfter(w, 30 * MINUTE);
    expect(w.aws.callsTo('StopTask')).toHaveLength(1);
  });

  it.each([
    [
      'a crash of the app container',
      (w: BotWorld, arn: string) => w.aws.exitContainer(arn, 'web', 1, 'Error: listen EADDRINUSE'),
      /exited on its own \(exit code 1; Error: listen EADDRINUSE; Essential container in task exited\)/,
    ],
    [
      'a Spot interruption',
      (w: BotWorld, arn: string) =>
        w.aws.stopTaskExternally(arn, {
          stopCode: 'SpotInterruption',
          stoppedReason: 'Your Spot Task was interrupted.',
        }),
      /AWS reclaimed the Fargate Spot capacity/,
    ],
    [
      'a stop from the console',
      (w: BotWorld, arn: string) =>
        w.aws.stopTaskExternally(arn, {
          stopCode: 'UserInitiated',
          stoppedReason: 'Task stopped by user',
        }),
      /stopped outside the bot \(Task stopped by user\)/,
    ],
    [
      'a failure to initialise',
      (w: BotWorld, arn: string) =>
        w.aws.stopTaskExternally(arn, {
          stopCode: 'TaskFailedToStart',
          stoppedReason: 'ResourceInitializationError: unable to pull secrets or registry auth',
        }),
      /failed to start: ResourceInitializationError[\s\S]*subnet has no route/,
    ],
  ])('explains %s in the thread and tells the channel', async (_name, stop, explanation) => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 5);
    stop(w, app.arn);
    await watchAfter(w, MINUTE);
    const notices = app.replies().filter((m) => m.reply_broadcast);
    expect(notices).toHaveLength(1);
    expect(shown(notices[0] as never)).toMatch(explanation);
    expect(buttons(notices[0] as never).map((b) => b.text)).toEqual(['Relaunch']);
    await watchAfter(w, MINUTE);
    expect(app.replies().filter((m) => m.reply_broadcast)).toHaveLength(1);
  });
});

describe('the watcher under faults', () => {
  it('keeps watching the other apps, and still stops at the deadline, when AWS refuses a call for one', async () => {
    await using w = await startBotWorld();
    const first = await launchedMr(w, 21);
    const second = await launchedMr(w, 22);
    const refuseFirst = () =>
      w.aws.fault({
        match: (r) => r.operation === 'TagResource' && r.body.includes(first.arn),
        reply: ecsErrorReply('ServerException', 'Internal error'),
        times: 1,
      });
    const warned = (app: typeof first) =>
      app.replies().some((m) => shown(m).includes('expires at'));

    refuseFirst();
    await watchAfter(w, 26 * MINUTE);
    expect(warned(first)).toBe(false);
    expect(warned(second)).toBe(true);
    expect(
      w.logs.some((l) => l.includes('could not watch a review app') && l.includes('"mr":21')),
    ).toBe(true);
    await watchAfter(w, MINUTE);
    expect(warned(first)).toBe(true);

    // At the deadline the tag cannot be written either: the app is stopped all the same, and
    // the channel is told once, not again on the next look.
    refuseFirst();
    await watchAfter(w, 3 * MINUTE);
    expect(w.aws.task(second.arn)?.desiredStatus).toBe('STOPPED');
    expect(w.aws.task(first.arn)?.desiredStatus).toBe('STOPPED');
    await watchAfter(w, MINUTE);
    expect(first.replies().filter((m) => m.reply_broadcast)).toHaveLength(1);
    expect(second.replies().filter((m) => m.reply_broadcast)).toHaveLength(1);
  });

  it('explains in the thread, quietly, an app stopped from the CLI', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 23);
    const code = await runCli(['stop', '23'], {
      env: { ...w.env, GITLAB_USER_LOGIN: 'release-bot' },
      stdout: () => {},
      stderr: () => {},
      clock: w.clock,
    });
    expect(code).toBe(0);
    await watchAfter(w, MINUTE);
    expect(app.replies().some((m) => shown(m).includes('stopped by release-bot (CLI)'))).toBe(true);
    expect(app.replies().filter((m) => m.reply_broadcast)).toHaveLength(0);
  });
});

describe('after a restart', () => {
  it('resumes the countdown in the same message and announces the expiry once', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 6);
    await w.restart();
    await w.bot.watcher.recover();
    await watchAfter(w, 10 * MINUTE);
    const status = w.slack.messages(CHANNEL).find((m) => m.ts === app.status.ts);
    expect(shown(status as never)).toContain('20 minutes left');
    // No new status message: the same one is kept up to date.
    expect(app.replies()).toHaveLength(1);

    await watchAfter(w, 20 * MINUTE);
    await w.restart();
    await w.bot.watcher.recover();
    await watchAfter(w, MINUTE);
    expect(app.replies().filter((m) => m.reply_broadcast)).toHaveLength(1);
    expect(w.aws.callsTo('StopTask')).toHaveLength(1);
  });

  it('announces an app that reached its hard cap while the bot was down, once', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 7);
    await w.bot.stop();
    // Two hours and more pass without a bot: ECS ends the task through its lifetime container.
    w.clock.advance(2 * 60 * MINUTE + MINUTE);
    await w.restart();
    await w.bot.watcher.recover();
    const notices = app.replies().filter((m) => m.reply_broadcast);
    expect(notices).toHaveLength(1);
    expect(shown(notices[0] as never)).toContain(
      'reached its maximum lifetime and was stopped by ECS',
    );
    expect(w.aws.callsTo('StopTask')).toHaveLength(0);
    await w.bot.watcher.recover();
    expect(app.replies().filter((m) => m.reply_broadcast)).toHaveLength(1);
  });

  it('describes each task once when it recovers, the stopped ones and the running ones', async () => {
    await using w = await startBotWorld();
    const stopped = await launchedMr(w, 9);
    const running = await launchedMr(w, 10);
    expect(
      await runCli(['stop', '9'], {
        env: w.env,
        stdout: () => {},
        stderr: () => {},
        clock: w.clock,
      }),
    ).toBe(0);
    await w.restart();
    const before = w.aws.callsTo('DescribeTasks').length;
    await w.bot.watcher.recover();
    const described = w.aws
      .callsTo('DescribeTasks')
      .slice(before)
      .flatMap((call) => call.tasks as string[]);
    expect(described.sort()).toEqual([stopped.arn, running.arn].sort());
    // The next round reads only the running one.
    const next = w.aws.callsTo('DescribeTasks').length;
    await watchAfter(w, MINUTE);
    expect(
      w.aws
        .callsTo('DescribeTasks')
        .slice(next)
        .flatMap((call) => call.tasks as string[]),
    ).toEqual([running.arn]);
  });

  it('leaves review apps running when the bot stops', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 8);
    await w.bot.stop();
    expect(w.aws.task(app.arn)?.lastStatus).toBe('RUNNING');
    expect(w.aws.callsTo('StopTask')).toHaveLength(0);
    await w.restart();
  });
});
