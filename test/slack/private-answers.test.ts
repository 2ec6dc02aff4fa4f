import { describe, expect, it } from 'vitest';
import { ACTIONS, BLOCKS, buttonValue } from '../../src/slack/ids.js';
import {
  ALICE,
  type BotWorld,
  eventually,
  lastAnswer,
  shown,
  startBotWorld,
  submitModal,
} from '../support/bot.js';

/** A public channel the bot was never invited to: chat:write.public lets it post there. */
const ELSEWHERE = 'C_ELSEWHERE';

function clickStop(w: BotWorld, value: string, channel = ELSEWHERE) {
  return w.slack.sendBlockAction(w.eventsUrl, {
    user_id: ALICE,
    channel_id: channel,
    message_ts: '1700000000.000100',
    actions: [{ action_id: ACTIONS.stop, value }],
  });
}

async function modalOpenedIn(w: BotWorld, channel: string) {
  await w.slack.sendSlashCommand(w.eventsUrl, { text: '', user_id: ALICE, channel_id: channel });
  return eventually(() => {
    const [view] = w.slack.views();
    expect(view).toBeDefined();
    return view as NonNullable<typeof view>;
  });
}

describe('private answers in a channel the bot was not invited to', () => {
  it('a button refusal reaches the person through the click’s response_url', async () => {
    await using w = await startBotWorld();
    await clickStop(w, 'not json');
    const answer = await eventually(() => {
      const found = w.slack.ephemerals(ALICE).find((e) => shown(e).includes('no longer works'));
      expect(found).toBeDefined();
      return found as NonNullable<typeof found>;
    });
    expect(answer).toMatchObject({ channel: ELSEWHERE, source: 'response_url' });
    // The status message the button was on stays as it was.
    expect(w.slack.responses().every((r) => r.body.replace_original === false)).toBe(true);
  });

  it('when the response_url is used up, the answer comes as a direct message from the app', async () => {
    await using w = await startBotWorld();
    w.slack.fault({
      match: 'response_url',
      reply: { status: 404, body: JSON.stringify({ ok: false, error: 'used_url' }) },
    });
    await clickStop(w, buttonValue(77));
    await eventually(() =>
      expect(w.slack.directMessages(ALICE).map((m) => shown(m))).toEqual([
        expect.stringContaining('!77'),
      ]),
    );
    expect(w.slack.ephemerals()).toHaveLength(0);
  });

  it('a modal refusal known at once is shown in the modal, which stays open', async () => {
    await using w = await startBotWorld();
    const view = await modalOpenedIn(w, ELSEWHERE);
    const submitted = await submitModal(w, view.id, 404);
    expect(submitted.response).toMatchObject({
      response_action: 'errors',
      errors: { [BLOCKS.pickMr]: expect.stringContaining('!404') },
    });
    expect(w.slack.views()[0]?.closed).toBe(false);
    expect(w.slack.views()[0]?.errors?.[BLOCKS.pickMr]).toContain('!404');
    expect(w.aws.callsTo('RunTask')).toHaveLength(0);
  });

  it('a problem found after the modal closed comes as a direct message', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(21);
    const view = await modalOpenedIn(w, 'C_PRIVATE');
    // A private channel the bot is not in refuses even chat.postMessage.
    w.slack.failMethod('chat.postMessage', 'not_in_channel');
    const submitted = await submitModal(w, view.id, 21);
    expect(submitted.response).toBeUndefined();
    await eventually(() =>
      expect(w.slack.directMessages(ALICE).map((m) => shown(m))).toEqual([
        expect.stringContaining('Invite me'),
      ]),
    );
    expect(w.aws.callsTo('RunTask')).toHaveLength(0);
  });

  it('a launch typed in a direct message between other people is answered privately, and starts nothing', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(21);
    await w.slack.sendSlashCommand(w.eventsUrl, {
      text: '21',
      user_id: ALICE,
      channel_id: 'D_ALICE_BOB',
    });
    const answer = await lastAnswer(w);
    expect(shown(answer)).toContain('I cannot post in a direct message between other people');
    expect(shown(answer)).not.toContain('/invite');
    expect(w.slack.messages()).toEqual([]);
    expect(w.aws.callsTo('RunTask')).toHaveLength(0);
  });
});
