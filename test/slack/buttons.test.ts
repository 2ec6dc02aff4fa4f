import { describe, expect, it } from 'vitest';
import { ACTIONS, buttonValue } from '../../src/slack/ids.js';
import {
  ALICE,
  BOB,
  buttons,
  CHANNEL,
  clickButton,
  eventually,
  launchedFromSlack,
  shown,
  startBotWorld,
} from '../support/bot.js';
import { taskTags } from '../support/world.js';

describe('status buttons', () => {
  it('Stop stops the app now and the thread says who stopped it', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const { parent, status } = await launchedFromSlack(w, 42);

    const answer = await clickButton(w, status, ACTIONS.stop, 42);
    expect(answer.status).toBe(200);
    await eventually(() => expect(w.aws.callsTo('StopTask')).toHaveLength(1));
    // Said once: the status message says who stopped it and keeps the Relaunch button;
    // no reply repeats it (Alice clicked), and the channel message says the app ended.
    await eventually(() =>
      expect(shown(w.slack.thread(CHANNEL, parent.ts)[0] as never)).toContain(
        `stopped by <@${ALICE}>`,
      ),
    );
    const replies = w.slack.thread(CHANNEL, parent.ts);
    expect(replies.map((m) => m.ts)).toEqual([status.ts]);
    expect(buttons(replies[0] as never).map((b) => b.text)).toEqual(['Relaunch']);
    await eventually(() =>
      expect(shown(w.slack.messages(CHANNEL)[0] as never)).toContain('*ended* at'),
    );
    await w.bot.watcher.round();
    expect(w.slack.thread(CHANNEL, parent.ts)).toHaveLength(1);
  });

  it('Stop on someone else’s app asks privately first, and "Stop anyway" stops it', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const { parent, status } = await launchedFromSlack(w, 42);

    await clickButton(w, status, ACTIONS.stop, 42, BOB);
    const question = await eventually(() => {
      const found = w.slack.ephemerals().find((e) => shown(e).includes('Stop it anyway?'));
      expect(found).toBeDefined();
      return found as NonNullable<typeof found>;
    });
    expect(question.user).toBe(BOB);
    expect(shown(question)).toContain(`was launched by <@${ALICE}>`);
    expect(w.aws.callsTo('StopTask')).toHaveLength(0);
    expect(w.aws.task(w.aws.tasks()[0]?.taskArn as string)?.lastStatus).toBe('RUNNING');

    const [anyway] = buttons(question);
    expect(anyway?.text).toBe('Stop anyway');
    // "Stop anyway" sits in the private question: the click comes from there.
    await clickButton(w, question, anyway?.action_id as string, 42, BOB);
    await eventually(() => expect(w.aws.callsTo('StopTask')).toHaveLength(1));
    const replies = await eventually(() => {
      const thread = w.slack.thread(CHANNEL, parent.ts);
      expect(thread.some((m) => shown(m).includes(`stopped by <@${BOB}>`))).toBe(true);
      return thread;
    });
    const final = replies[0];
    expect(shown(final as never)).toContain(`stopped by <@${BOB}>`);
    expect(buttons(final as never).map((b) => b.text)).toEqual(['Relaunch']);
  });

  it('Relaunch stops the running app, takes the newest image, and reports in the same thread', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const { parent, status } = await launchedFromSlack(w, 42);
    // A new commit was pushed and built since.
    const newSha = 'f'.repeat(40);
    w.gitlab.updateMergeRequest(7, 42, { sha: newSha });
    w.gitlab.addRegistryTag(7, 1, newSha);

    await clickButton(w, status, ACTIONS.relaunch, 42);
    await eventually(() => expect(w.aws.callsTo('RunTask')).toHaveLength(2));
    expect(w.aws.callsTo('StopTask')[0]?.reason).toBe(
      `review-app-bot: relaunched by ${ALICE} via Slack`,
    );
    const containers = w.aws.callsTo('RegisterTaskDefinition')[1]?.containerDefinitions as {
      name: string;
      image: string;
    }[];
    expect(containers.find((c) => c.name === 'web')?.image).toContain(newSha);

    // A second status reply in the same thread shows the new app running.
    await eventually(() => {
      const replies = w.slack.thread(CHANNEL, parent.ts);
      expect(
        replies.filter((r) => r.ts !== status.ts && shown(r).includes('Running')),
      ).toHaveLength(1);
    });
    // No second parent message: the relaunch stays in the thread.
    expect(w.slack.messages(CHANNEL).filter((m) => !m.thread_ts)).toHaveLength(1);

    // The watcher's next look finalises the old status: who relaunched it, as a mention, quietly.
    await w.bot.watcher.round();
    expect(shown(w.slack.messages(CHANNEL).find((m) => m.ts === status.ts) as never)).toContain(
      `relaunched by <@${ALICE}>`,
    );
    // Said once, in the old status: the new app's status reply is the thread's news.
    const saying = w.slack
      .thread(CHANNEL, parent.ts)
      .filter((m) => shown(m).includes(`relaunched by <@${ALICE}>`));
    expect(saying.map((m) => m.ts)).toEqual([status.ts]);
    expect(w.slack.messages(CHANNEL).filter((m) => m.reply_broadcast)).toHaveLength(0);
  });

  it('two Relaunch clicks at once start one task', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const { status } = await launchedFromSlack(w, 42);
    await Promise.all([
      clickButton(w, status, ACTIONS.relaunch, 42),
      clickButton(w, status, ACTIONS.relaunch, 42, BOB),
    ]);
    await eventually(() => expect(w.aws.callsTo('RunTask')).toHaveLength(2));
    // The click that lost the race says so in its status reply.
    await eventually(() =>
      expect(
        w.slack
          .messages(CHANNEL)
          .some((m) => shown(m).includes('!42 already has a review app running')),
      ).toBe(true),
    );
    const running = w.aws.tasks().filter((t) => t.desiredStatus === 'RUNNING');
    expect(running).toHaveLength(1);
  });

  it('Stop while the app is still starting ends it in the thread, not as a failure', async () => {
    // Time moves only when the test says: the launch waits between two looks at the task.
    await using w = await startBotWorld({ autoAdvance: false });
    w.addMergeRequest(42);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: ALICE });
    await eventually(() => expect(w.clock.waiting).toBe(1));
    const status = w.slack.messages(CHANNEL).find((m) => m.thread_ts) as {
      ts: string;
      thread_ts: string;
    };

    await clickButton(w, status, ACTIONS.stop, 42);
    await eventually(() => expect(w.aws.callsTo('StopTask')).toHaveLength(1));
    w.clock.advance(1_000);
    await eventually(() => {
      const shownNow = shown(w.slack.messages(CHANNEL).find((m) => m.ts === status.ts) as never);
      expect(shownNow).toContain(`stopped by <@${ALICE}>`);
      expect(shownNow).not.toContain('Could not launch');
    });
  });

  it('Relaunch on an expiry notice never replaces an app started since', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const first = await launchedFromSlack(w, 42);
    w.clock.advance(30 * 60_000);
    await w.bot.watcher.round();
    const [notice] = w.slack.messages(CHANNEL).filter((m) => m.reply_broadcast);
    if (!notice) throw new Error('no expiry notice');
    // Bob launches !42 again from the command.
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: BOB });
    await eventually(() => expect(w.aws.callsTo('RunTask')).toHaveLength(2));
    await eventually(() =>
      expect(w.aws.tasks().filter((t) => t.desiredStatus === 'RUNNING')).toHaveLength(1),
    );

    await clickButton(w, notice, buttons(notice)[0]?.action_id as string, 42);
    await eventually(() =>
      expect(
        w.slack.ephemerals().some((e) => shown(e).includes('already has a review app running')),
      ).toBe(true),
    );
    // Only the expiry stopped anything; Bob's app runs on.
    expect(w.aws.callsTo('StopTask')).toHaveLength(1);
    expect(w.aws.task(first.arn)?.desiredStatus).toBe('STOPPED');
  });

  it('Relaunch on the private "already running" answer relaunches in the app\'s own thread', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const { parent } = await launchedFromSlack(w, 42);
    // A click on an ephemeral message carries no message of its own.
    await w.slack.sendBlockAction(w.eventsUrl, {
      user_id: BOB,
      channel_id: CHANNEL,
      container: { type: 'message', message_ts: '1.1', channel_id: CHANNEL, is_ephemeral: true },
      actions: [{ action_id: ACTIONS.relaunch, value: buttonValue(42) }],
    });
    await eventually(() => expect(w.aws.callsTo('RunTask')).toHaveLength(2));
    await eventually(() =>
      expect(
        w.slack.thread(CHANNEL, parent.ts).filter((m) => shown(m).includes('Running')).length,
      ).toBeGreaterThan(0),
    );
    expect(w.slack.messages(CHANNEL).filter((m) => !m.thread_ts)).toHaveLength(1);
  });

  it('Try again after a failure never stops an app that runs meanwhile', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const { status } = await launchedFromSlack(w, 42);
    await clickButton(w, status, ACTIONS.retry, 42, BOB);
    await eventually(() =>
      expect(
        w.slack
          .ephemerals()
          .some((e) => e.user === BOB && shown(e).includes('already has a review app running')),
      ).toBe(true),
    );
    expect(w.aws.callsTo('StopTask')).toHaveLength(0);
    expect(w.aws.callsTo('RunTask')).toHaveLength(1);
  });

  it('Extend moves the deadline by the TTL, writes it to the tags, and stops at the hard cap', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const { parent, status } = await launchedFromSlack(w, 42);
    const arn = w.aws.tasks()[0]?.taskArn as string;
    const deadline = () => taskTags(w.aws, arn)['review-app:soft-deadline'];
    expect(deadline()).toBe('2026-11-27T12:30:00.000Z');

    await clickButton(w, status, ACTIONS.extend, 42);
    await eventually(() => expect(deadline()).toBe('2026-11-27T13:00:00.000Z'));
    await eventually(() =>
      expect(
        w.slack
          .thread(CHANNEL, parent.ts)
          .some((m) => shown(m).includes(`<@${ALICE}> extended the review app for !42`)),
      ).toBe(true),
    );

    for (const expected of ['2026-11-27T13:30:00.000Z', '2026-11-27T14:00:00.000Z']) {
      await clickButton(w, status, ACTIONS.extend, 42);
      await eventually(() => expect(deadline()).toBe(expected));
    }
    await eventually(() =>
      expect(
        w.slack.thread(CHANNEL, parent.ts).some((m) => shown(m).includes('maximum lifetime')),
      ).toBe(true),
    );

    await clickButton(w, status, ACTIONS.extend, 42);
    await eventually(() =>
      expect(
        w.slack.ephemerals().some((e) => shown(e).includes('cannot be extended further')),
      ).toBe(true),
    );
    expect(deadline()).toBe('2026-11-27T14:00:00.000Z');
  });

  it('does not trust button values: a forged MR number is looked up and refused', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const { status } = await launchedFromSlack(w, 42);
    await w.slack.sendBlockAction(w.eventsUrl, {
      user_id: ALICE,
      channel_id: CHANNEL,
      message_ts: status.ts,
      actions: [
        { action_id: ACTIONS.relaunch, value: '{"mr":999,"image":"evil.example/pwn:latest"}' },
      ],
    });
    await eventually(() =>
      expect(
        w.slack.ephemerals().some((e) => shown(e).includes('GitLab has no merge request !999')),
      ).toBe(true),
    );
    await w.slack.sendBlockAction(w.eventsUrl, {
      user_id: ALICE,
      channel_id: CHANNEL,
      message_ts: status.ts,
      actions: [{ action_id: ACTIONS.stop, value: 'not json' }],
    });
    await eventually(() =>
      expect(
        w.slack.ephemerals().some((e) => shown(e).includes('That button no longer works')),
      ).toBe(true),
    );
    expect(w.aws.callsTo('RunTask')).toHaveLength(1);
    expect(w.aws.callsTo('StopTask')).toHaveLength(0);
  });
});
