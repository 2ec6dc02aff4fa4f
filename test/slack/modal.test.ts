import { describe, expect, it } from 'vitest';
import { ACTIONS, BLOCKS, VIEWS } from '../../src/slack/ids.js';
import {
  ALICE,
  type BotWorld,
  CHANNEL,
  eventually,
  shown,
  startBotWorld,
  submitModal,
} from '../support/bot.js';

function openedView(w: BotWorld) {
  return eventually(() => {
    const [opened] = w.slack.views();
    expect(opened).toBeDefined();
    return opened as NonNullable<typeof opened>;
  });
}

/** What the picker offers when the user has typed `value`. */
async function pickerOptions(w: BotWorld, viewId: string, value: string): Promise<Options> {
  const answer = await w.slack.sendOptionsRequest(w.eventsUrl, {
    action_id: ACTIONS.pickMr,
    block_id: BLOCKS.pickMr,
    value,
    view_id: viewId,
  });
  return answer.options as Options;
}

type Options = { options: { text: { text: string }; value: string }[] };

describe('/review-app without arguments', () => {
  it('opens a modal whose picker searches open MRs by number or title, and submitting launches in the channel', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(12, { title: 'Search results page' });
    w.addMergeRequest(21, { title: 'Login with SSO' });
    w.addMergeRequest(30, { title: 'Old thing', state: 'merged' });

    const ack = await w.slack.sendSlashCommand(w.eventsUrl, {
      text: '',
      user_id: ALICE,
      channel_id: CHANNEL,
    });
    expect(ack.status).toBe(200);
    const view = await openedView(w);
    expect(view.callback_id).toBe(VIEWS.launch);
    expect(view.trigger_id).toBe(ack.triggerId);

    const byTitle = await pickerOptions(w, view.id, 'sso');
    expect(byTitle.options.map((o) => o.text.text)).toEqual(['!21 Login with SSO']);

    const byNumber = await pickerOptions(w, view.id, '12');
    expect(byNumber.options.map((o) => o.value)).toContain('12');

    const all = await pickerOptions(w, view.id, '');
    expect(all.options.map((o) => o.value).sort()).toEqual(['12', '21']);

    const submitted = await submitModal(w, view.id, 21);
    expect(submitted.status).toBe(200);
    await eventually(() => {
      const parent = w.slack.messages(CHANNEL).find((m) => !m.thread_ts);
      expect(shown(parent as never)).toContain('!21 Login with SSO');
      expect(shown(w.slack.thread(CHANNEL, parent?.ts as string)[0] as never)).toContain('Running');
    });
  });

  it('reads the MR from GitLab and the running apps from ECS once for a launch from the modal', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(21, { title: 'Login with SSO' });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '', user_id: ALICE, channel_id: CHANNEL });
    const view = await openedView(w);
    const before = { gitlab: w.gitlab.requests.length, ecs: w.aws.operations().length };

    const submitted = await submitModal(w, view.id, 21);
    expect(submitted.response).toBeUndefined();
    await eventually(() => {
      const parent = w.slack.messages(CHANNEL).find((m) => !m.thread_ts);
      expect(shown(w.slack.thread(CHANNEL, parent?.ts as string)[0] as never)).toContain('Running');
    });
    const mrReads = w.gitlab.requests
      .slice(before.gitlab)
      .filter((r) => r.method === 'GET' && r.path.endsWith('/merge_requests/21'));
    expect(mrReads).toHaveLength(1);
    expect(
      w.aws
        .operations()
        .slice(before.ecs)
        .filter((op) => op === 'ListTasks'),
    ).toHaveLength(1);
  });

  it('cuts long titles to the 75 characters an option may show', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(5, { title: `${'Very long title '.repeat(20)}end` });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '' });
    const view = await openedView(w);
    const answer = await pickerOptions(w, view.id, '');
    expect(Array.from(answer.options[0]?.text.text ?? '')).toHaveLength(75);
  });

  it('answers the picker in time with an empty list when GitLab is slow', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(5);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '' });
    const view = await openedView(w);
    const release = w.gitlab.hold();
    const answer = await w.slack.sendOptionsRequest(w.eventsUrl, {
      action_id: ACTIONS.pickMr,
      block_id: BLOCKS.pickMr,
      value: '',
      view_id: view.id,
    });
    release();
    expect(answer.acknowledgedInTime).toBe(true);
    expect((answer.options as Options).options).toEqual([]);
  });

  it('keeps the modal open with an error when nothing was picked', async () => {
    await using w = await startBotWorld();
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '' });
    const view = await openedView(w);
    const submitted = await w.slack.sendViewSubmission(w.eventsUrl, {
      view_id: view.id,
      view: {
        state: {
          values: {
            [BLOCKS.pickMr]: {
              [ACTIONS.pickMr]: { type: 'external_select', selected_option: null },
            },
          },
        },
      },
    });
    expect(submitted.response).toMatchObject({
      response_action: 'errors',
      errors: { [BLOCKS.pickMr]: 'Pick a merge request.' },
    });
    expect(w.slack.views()[0]).toMatchObject({
      closed: false,
      errors: { [BLOCKS.pickMr]: 'Pick a merge request.' },
    });
    expect(w.aws.callsTo('RunTask')).toHaveLength(0);
  });
});
