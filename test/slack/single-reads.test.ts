import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/ids.js';
import {
  ALICE,
  BOB,
  CHANNEL,
  clickButton,
  eventually,
  launchedFromSlack,
  shown,
  startBotWorld,
  submitModal,
} from '../support/bot.js';

/** ECS operations made while `work` runs and until `done` holds. */
async function operationsDuring(
  w: Awaited<ReturnType<typeof startBotWorld>>,
  work: () => Promise<unknown>,
  done: () => void,
): Promise<string[]> {
  const before = w.aws.operations().length;
  await work();
  await eventually(done);
  return w.aws.operations().slice(before);
}

describe('one look at ECS and GitLab per request', () => {
  it('a Stop click lists the apps once: the question about the owner is asked under the stop’s lock', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const { status } = await launchedFromSlack(w, 42);
    const operations = await operationsDuring(
      w,
      () => clickButton(w, status, ACTIONS.stop, 42),
      () => expect(w.aws.callsTo('StopTask')).toHaveLength(1),
    );
    expect(operations.filter((op) => op === 'ListTasks')).toHaveLength(1);
    expect(operations.filter((op) => op === 'DescribeTasks')).toHaveLength(1);
  });

  it('Stop on someone else’s app asks after one look, and stops nothing', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const { status } = await launchedFromSlack(w, 42);
    const operations = await operationsDuring(
      w,
      () => clickButton(w, status, ACTIONS.stop, 42, BOB),
      () =>
        expect(w.slack.ephemerals().some((e) => shown(e).includes('Stop it anyway?'))).toBe(true),
    );
    expect(operations.filter((op) => op === 'ListTasks')).toHaveLength(1);
    expect(w.aws.callsTo('StopTask')).toHaveLength(0);
  });

  it('a modal submission reads the MR and the running apps once, from precheck to launch', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(21);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '', user_id: ALICE, channel_id: CHANNEL });
    const view = await eventually(() => {
      const [opened] = w.slack.views();
      expect(opened).toBeDefined();
      return opened as NonNullable<typeof opened>;
    });
    const gitlabBefore = w.gitlab.requests.length;
    const operations = await operationsDuring(
      w,
      () => submitModal(w, view.id, 21),
      () => expect(w.aws.callsTo('RunTask')).toHaveLength(1),
    );
    const mrReads = w.gitlab.requests
      .slice(gitlabBefore)
      .filter((r) => r.path.endsWith('/merge_requests/21'));
    expect(mrReads).toHaveLength(1);
    expect(operations.filter((op) => op === 'ListTasks')).toHaveLength(1);
  });
});
