import { describe, expect, it } from 'vitest';
import { ACTIONS, buttonValue } from '../../src/slack/ids.js';
import {
  type BotWorld,
  buttons,
  CHANNEL,
  eventually,
  launchedMr,
  shown,
  startBotWorld,
  watchAfter,
} from '../support/bot.js';
import { PROJECT_ID, REGISTRY_ID, taskTags } from '../support/world.js';

const MINUTE = 60_000;

/** A push to the MR's branch: a new head commit whose pipeline has just started. */
function push(w: BotWorld, mr: number, sha: string, pipelineId: number) {
  w.gitlab.updateMergeRequest(PROJECT_ID, mr, {
    sha,
    head_pipeline: { id: pipelineId, status: 'running', sha },
  });
}

/** The pipeline finished and pushed the commit's image. */
function built(w: BotWorld, sha: string, pipelineId: number) {
  w.gitlab.addPipeline(PROJECT_ID, { id: pipelineId, status: 'success' });
  w.gitlab.addRegistryTag(PROJECT_ID, REGISTRY_ID, sha);
}

const taskImage = (w: BotWorld, arn: string) => taskTags(w.aws, arn)['review-app:image'] ?? '';

describe('a merged or closed merge request', () => {
  it('stops the app within a minute and tells the channel who merged it, once', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 42);
    w.gitlab.updateMergeRequest(PROJECT_ID, 42, {
      state: 'merged',
      actor: { username: 'max', name: 'Max Merger' },
    });
    await watchAfter(w, MINUTE);

    expect(w.aws.task(app.arn)?.desiredStatus).toBe('STOPPED');
    const notices = app.replies().filter((m) => m.reply_broadcast);
    expect(notices).toHaveLength(1);
    expect(shown(notices[0] as never)).toContain(
      'The review app for !42 Feature 42 has stopped: The merge request was merged by Max Merger',
    );
    // A merged MR cannot be launched again: nothing to click.
    expect(buttons(notices[0] as never)).toEqual([]);
    // The status reply says it ended, not a countdown refreshed in the same round; why is
    // said once, in the notice.
    const reply = w.slack.messages(CHANNEL).find((m) => m.ts === app.status.ts);
    expect(shown(reply as never)).toContain('Ended at');
    expect(shown(reply as never)).not.toContain('merged');
    expect(shown(reply as never)).not.toContain('Running');
    expect(buttons(reply as never)).toEqual([]);

    await watchAfter(w, MINUTE);
    await w.restart();
    await w.bot.watcher.recover();
    expect(app.replies().filter((m) => m.reply_broadcast)).toHaveLength(1);
    expect(w.aws.callsTo('StopTask')).toHaveLength(1);
  });

  it('says who closed it', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 43);
    w.gitlab.updateMergeRequest(PROJECT_ID, 43, {
      state: 'closed',
      actor: { username: 'cleo', name: 'Cleo <!channel> Closer' },
    });
    await watchAfter(w, MINUTE);
    const notice = app.replies().find((m) => m.reply_broadcast);
    expect(shown(notice as never)).toContain(
      'The merge request was closed by Cleo &lt;!channel&gt; Closer',
    );
  });

  it('leaves drafts and open MRs running, and GitLab is asked at most once a minute', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 44);
    w.gitlab.updateMergeRequest(PROJECT_ID, 44, { draft: true });
    const listed = () =>
      w.gitlab.requests.filter((r) => r.operation === 'GET /projects/:id/merge_requests').length;
    const before = listed();
    await watchAfter(w, MINUTE);
    await watchAfter(w, 15_000);
    await watchAfter(w, 15_000);
    expect(listed() - before).toBe(1);
    expect(w.aws.task(app.arn)?.lastStatus).toBe('RUNNING');
    expect(app.replies().filter((m) => m.reply_broadcast)).toHaveLength(0);
  });

  it('can be left running when REVIEW_APP_STOP_ON_MERGE is false', async () => {
    await using w = await startBotWorld({ env: { REVIEW_APP_STOP_ON_MERGE: 'false' } });
    const app = await launchedMr(w, 45);
    w.gitlab.updateMergeRequest(PROJECT_ID, 45, { state: 'merged' });
    await watchAfter(w, MINUTE);
    expect(w.aws.task(app.arn)?.lastStatus).toBe('RUNNING');
  });
});

describe('a new commit on the merge request', () => {
  it('says once that its pipeline runs, then offers a relaunch with it once, also after a restart', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 50);
    const sha = `abc1234f${'0'.repeat(32)}`;
    push(w, 50, sha, 3050);
    await watchAfter(w, MINUTE);
    await watchAfter(w, MINUTE);
    const running = app.replies().filter((m) => shown(m).includes('its pipeline is running'));
    expect(running).toHaveLength(1);
    expect(shown(running[0] as never)).toContain('New commit `abc1234f` on !50');

    built(w, sha, 3050);
    await watchAfter(w, MINUTE);
    await w.restart();
    await watchAfter(w, MINUTE);
    const offers = app.replies().filter((m) => shown(m).includes('is built'));
    expect(offers).toHaveLength(1);
    expect(buttons(offers[0] as never).map((b) => b.text)).toEqual(['Relaunch with abc1234f']);
    expect(taskTags(w.aws, app.arn)['review-app:next-commit']).toBe(sha);
    // Nothing was relaunched without being asked.
    expect(w.aws.callsTo('RunTask')).toHaveLength(1);

    await w.slack.sendBlockAction(w.eventsUrl, {
      user_id: 'U_ALICE',
      channel_id: CHANNEL,
      message_ts: (offers[0] as { ts: string }).ts,
      thread_ts: app.parent.ts,
      actions: [{ action_id: ACTIONS.relaunch, value: buttonValue(50) }],
    });
    await eventually(() => expect(w.aws.callsTo('RunTask')).toHaveLength(2));
    const newest = w.aws.tasks().at(-1)?.taskArn as string;
    expect(taskImage(w, newest)).toContain(sha);
  });

  it('says once when the new commit’s pipeline failed, and the app keeps running', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 51);
    push(w, 51, 'd'.repeat(40), 3051);
    w.gitlab.addPipeline(PROJECT_ID, { id: 3051, status: 'failed' });
    await watchAfter(w, MINUTE);
    await watchAfter(w, MINUTE);
    const failed = app.replies().filter((m) => shown(m).includes('pipeline #3051 failed'));
    expect(failed).toHaveLength(1);
    expect(shown(failed[0] as never)).toContain('New commit `dddddddd` on !51');
    expect(w.aws.task(app.arn)?.lastStatus).toBe('RUNNING');
  });

  it('relaunches by itself in the same thread with REVIEW_APP_FOLLOW=auto', async () => {
    await using w = await startBotWorld({ env: { REVIEW_APP_FOLLOW: 'auto' } });
    const app = await launchedMr(w, 52);
    const sha = 'e'.repeat(40);
    push(w, 52, sha, 3052);
    built(w, sha, 3052);
    await watchAfter(w, MINUTE);

    await eventually(() => expect(w.aws.callsTo('RunTask')).toHaveLength(2));
    expect(w.aws.callsTo('StopTask')[0]?.reason).toBe(
      'review-app-bot: relaunched by U_ALICE via Slack',
    );
    const newest = w.aws.tasks().at(-1)?.taskArn as string;
    expect(taskImage(w, newest)).toContain(sha);
    expect(
      app.replies().filter((m) => shown(m).includes('is built: relaunching with it')),
    ).toHaveLength(1);
    // The new app reports in the same thread; no new parent message.
    await eventually(() =>
      expect(
        app.replies().filter((r) => r.ts !== app.status.ts && shown(r).includes('Running')),
      ).toHaveLength(1),
    );
    expect(w.slack.messages(CHANNEL).filter((m) => !m.thread_ts)).toHaveLength(1);
    await watchAfter(w, MINUTE);
    expect(w.aws.callsTo('RunTask')).toHaveLength(2);
  });
});
