import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/ids.js';
import {
  ALICE,
  BOB,
  CHANNEL,
  clickButton,
  eventually,
  lastAnswer,
  launchedFromSlack,
  shown,
  startBotWorld,
} from '../support/bot.js';

const RANDOM = 'C_RANDOM';

describe('refusals say what stands in the way', () => {
  it('a channel outside ALLOWED_CHANNEL_IDS is named as the problem, with the allowed channels', async () => {
    await using w = await startBotWorld({
      env: { ALLOWED_CHANNEL_IDS: `${CHANNEL},C_QA`, ALLOWED_USER_IDS: ALICE },
    });
    w.addMergeRequest(42);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: ALICE, channel_id: RANDOM });
    const answer = shown(await lastAnswer(w));
    expect(answer).toContain(
      'Review apps cannot be launched or changed in this channel. Use <#C_REVIEWS>, <#C_QA>.',
    );
    expect(answer).not.toContain('add you');
    expect(w.aws.callsTo('RunTask')).toHaveLength(0);
  });

  it('a person outside ALLOWED_USER_IDS hears about themselves, wherever they ask', async () => {
    await using w = await startBotWorld({
      env: { ALLOWED_CHANNEL_IDS: CHANNEL, ALLOWED_USER_IDS: ALICE },
    });
    w.addMergeRequest(42);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: BOB, channel_id: RANDOM });
    const answer = shown(await lastAnswer(w));
    expect(answer).toContain('You are not allowed to launch or change review apps.');
    expect(answer).toContain('Ask the team that runs the bot to add you.');
    expect(answer).not.toContain('channel');
  });

  it('a button clicked by someone not allowed gets the person’s wording', async () => {
    await using w = await startBotWorld({ env: { ALLOWED_USER_IDS: ALICE } });
    w.addMergeRequest(42);
    const { status } = await launchedFromSlack(w, 42);
    await clickButton(w, status, ACTIONS.stop, 42, BOB);
    await eventually(() =>
      expect(
        w.slack
          .ephemerals()
          .some(
            (e) =>
              e.user === BOB && shown(e).includes('Ask the team that runs the bot to add you.'),
          ),
      ).toBe(true),
    );
    expect(w.aws.callsTo('StopTask')).toHaveLength(0);
  });
});
