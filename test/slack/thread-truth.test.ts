import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/ids.js';
import {
  ALICE,
  BOB,
  type BotWorld,
  buttons,
  CHANNEL,
  clickButton,
  eventually,
  launchedMr,
  shown,
  startBotWorld,
  watchAfter,
} from '../support/bot.js';
import { PROJECT_ID, REGISTRY_ID, taskTags } from '../support/world.js';

const MINUTE = 60_000;

/** The channel message a thread hangs from, as it reads now. */
function parentNow(w: BotWorld, ts: string): string {
  return shown(w.slack.messages(CHANNEL).find((m) => m.ts === ts) as never);
}

function messageNow(w: BotWorld, ts: string) {
  return w.slack.messages(CHANNEL).find((m) => m.ts === ts) as NonNullable<
    ReturnType<BotWorld['slack']['messages']>[number]
  >;
}

/** A new head commit on the MR, built and pushed to the registry. */
function pushBuilt(w: BotWorld, mr: number, sha: string, pipelineId: number) {
  w.gitlab.updateMergeRequest(PROJECT_ID, mr, {
    sha,
    head_pipeline: { id: pipelineId, status: 'success', sha },
  });
  w.gitlab.addPipeline(PROJECT_ID, { id: pipelineId, status: 'success' });
  w.gitlab.addRegistryTag(PROJECT_ID, REGISTRY_ID, sha);
}

const dateOf = (text: string) => Number(/<!date\^(\d+)\^/.exec(text)?.[1]);
/** A deadline as Slack's date markup shows it: whole seconds. */
const seconds = (ms: number) => Math.floor(ms / 1000);

describe('the channel message says what is true of the app now', () => {
  it('running until its deadline, moved by Extend, then ended', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 42);
    const deadline = Date.parse(taskTags(w.aws, app.arn)['review-app:soft-deadline'] as string);
    expect(parentNow(w, app.parent.ts)).toContain('*running* until');
    expect(parentNow(w, app.parent.ts)).not.toContain('is launching');
    expect(dateOf(parentNow(w, app.parent.ts))).toBe(seconds(deadline));

    await clickButton(w, app.status, ACTIONS.extend, 42);
    await eventually(() =>
      expect(dateOf(parentNow(w, app.parent.ts))).toBe(seconds(deadline + 30 * MINUTE)),
    );

    await watchAfter(w, 60 * MINUTE);
    expect(parentNow(w, app.parent.ts)).toContain('*ended* at');
    expect(parentNow(w, app.parent.ts)).not.toContain('running');
  });

  it('speaks of the relaunched app, in the same thread', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 43);
    w.clock.advance(10 * MINUTE);
    await clickButton(w, app.status, ACTIONS.relaunch, 43, BOB);
    await eventually(() => expect(w.aws.callsTo('RunTask')).toHaveLength(2));
    await eventually(() =>
      expect(parentNow(w, app.parent.ts)).toContain(`by <@${BOB}>: *running*`),
    );
    const newest = w.aws.tasks().at(-1)?.taskArn as string;
    const deadline = Date.parse(taskTags(w.aws, newest)['review-app:soft-deadline'] as string);
    expect(dateOf(parentNow(w, app.parent.ts))).toBe(seconds(deadline));
    // The old app's end, found by the watcher, leaves the channel message to the new one.
    await w.bot.watcher.round();
    expect(parentNow(w, app.parent.ts)).toContain('*running*');
  });
});

describe('buttons whose moment has passed are taken away', () => {
  it('the warning’s Extend and Stop, once the app was extended', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 44);
    await watchAfter(w, 26 * MINUTE);
    const warning = app.replies().find((m) => shown(m).includes('expires at'));
    if (!warning) throw new Error('no warning');
    expect(taskTags(w.aws, app.arn)['review-app:slack-warning']).toBe(warning.ts);

    await clickButton(w, warning, ACTIONS.extend, 44);
    await eventually(() => expect(buttons(messageNow(w, warning.ts))).toEqual([]));
    expect(shown(messageNow(w, warning.ts))).toContain(
      'no longer applies: the review app was extended',
    );
    await eventually(() => expect(taskTags(w.aws, app.arn)['review-app:slack-warning']).toBe(''));
  });

  it('the warning’s buttons at expiry, also when the bot restarted in between', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 45);
    await watchAfter(w, 26 * MINUTE);
    const warning = app.replies().find((m) => shown(m).includes('expires at'));
    if (!warning) throw new Error('no warning');
    await w.restart();
    await w.bot.watcher.recover();
    await watchAfter(w, 5 * MINUTE);
    expect(w.aws.task(app.arn)?.desiredStatus).toBe('STOPPED');
    expect(buttons(messageNow(w, warning.ts))).toEqual([]);
    expect(shown(messageNow(w, warning.ts))).toContain(
      'no longer applies: the review app has ended',
    );
  });

  it('an offer to relaunch with a commit, once a newer commit is offered, and at the relaunch', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 46);
    pushBuilt(w, 46, `aaaa1111${'0'.repeat(32)}`, 3046);
    await watchAfter(w, MINUTE);
    const first = app.replies().find((m) => shown(m).includes('aaaa1111` on !46 is built'));
    if (!first) throw new Error('no first offer');
    pushBuilt(w, 46, `bbbb2222${'0'.repeat(32)}`, 3047);
    await watchAfter(w, MINUTE);
    const second = app.replies().find((m) => shown(m).includes('bbbb2222` on !46 is built'));
    if (!second) throw new Error('no second offer');
    expect(buttons(messageNow(w, first.ts))).toEqual([]);
    expect(shown(messageNow(w, first.ts))).toContain(
      'no longer applies: a newer commit came since',
    );
    expect(buttons(messageNow(w, second.ts)).map((b) => b.text)).toEqual([
      'Relaunch with bbbb2222',
    ]);

    await clickButton(w, second, ACTIONS.relaunch, 46);
    await eventually(() => expect(w.aws.callsTo('RunTask')).toHaveLength(2));
    await eventually(() =>
      expect(app.replies().filter((m) => shown(m).includes('Running'))).toHaveLength(1),
    );
    await w.bot.watcher.round();
    expect(buttons(messageNow(w, second.ts))).toEqual([]);
    expect(shown(messageNow(w, second.ts))).toContain('the review app was relaunched');
  });

  it('“Stop anyway” is replaced by what became of the stop', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 47);
    await clickButton(w, app.status, ACTIONS.stop, 47, BOB);
    const question = await eventually(() => {
      const found = w.slack.ephemerals().find((e) => shown(e).includes('Stop it anyway?'));
      expect(found).toBeDefined();
      return found as NonNullable<typeof found>;
    });
    const [anyway] = buttons(question);
    await w.slack.sendBlockAction(w.eventsUrl, {
      user_id: BOB,
      channel_id: CHANNEL,
      message_ts: question.ts,
      container: {
        type: 'message',
        message_ts: question.ts,
        channel_id: CHANNEL,
        is_ephemeral: true,
      },
      actions: [{ action_id: anyway?.action_id as string, value: anyway?.value as string }],
    });
    await eventually(() => expect(w.aws.callsTo('StopTask')).toHaveLength(1));
    await eventually(() => {
      const answered = w.slack.ephemerals().find((e) => e.ts === question.ts);
      expect(shown(answered as never)).toContain('You stopped the review app for !47.');
      expect(buttons(answered as never)).toEqual([]);
    });
    expect(w.slack.ephemerals().filter((e) => e.user === BOB)).toHaveLength(1);
    expect(shown(messageNow(w, app.status.ts))).toContain(`stopped by <@${BOB}>`);
    expect(w.slack.messages(CHANNEL).some((m) => shown(m).includes(`<@${ALICE}>`))).toBe(true);
  });
});

describe('one post per event', () => {
  it('a task that dies while starting is told once, by the launch, even when the watcher looks first', async () => {
    await using w = await startBotWorld({ autoAdvance: false });
    w.addMergeRequest(48);
    w.aws.setLaunchBehaviour({
      failToStart: { stoppedReason: 'CannotPullContainerError: manifest unknown' },
    });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '48', user_id: ALICE });
    await eventually(() => expect(w.clock.waiting).toBe(1));
    w.clock.advance(60_000);
    // The watcher's round sees the stopped task while the launch is still between two looks.
    await w.bot.watcher.round();
    await eventually(() =>
      expect(w.slack.messages(CHANNEL).filter((m) => m.reply_broadcast).length).toBeGreaterThan(0),
    );
    await w.bot.watcher.round();
    const broadcasts = w.slack.messages(CHANNEL).filter((m) => m.reply_broadcast);
    expect(broadcasts).toHaveLength(1);
    expect(shown(broadcasts[0] as never)).toContain('Could not launch !48');
    expect(buttons(broadcasts[0] as never).map((b) => b.text)).toEqual(['Try again']);
  });
});
