import { describe, expect, it } from 'vitest';
import { ACTIONS, BLOCKS, buttonValue } from '../../src/slack/ids.js';
import { launchModal } from '../../src/slack/views/launch-modal.js';
import {
  ALICE,
  BOB,
  buttons,
  CHANNEL,
  eventually,
  lastAnswer,
  launchedFromSlack,
  shown,
  startBotWorld,
} from '../support/bot.js';
import { taskTags } from '../support/world.js';

/** The private answer to the last slash command. */

describe('who may launch', () => {
  it('refuses people outside ALLOWED_USER_IDS privately, launches nothing, and logs who and where', async () => {
    await using w = await startBotWorld({ env: { ALLOWED_USER_IDS: ALICE } });
    w.addMergeRequest(42);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: BOB, channel_id: CHANNEL });
    const answer = await lastAnswer(w);
    expect(answer.response_type).toBe('ephemeral');
    expect(shown(answer)).toContain('You are not allowed to launch or change review apps.');
    expect(w.aws.callsTo('RunTask')).toHaveLength(0);
    expect(w.slack.messages(CHANNEL)).toHaveLength(0);
    const refusal = w.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === 'refused a command');
    expect(refusal).toMatchObject({ user: BOB, channel: CHANNEL });
  });

  it('refuses channels outside ALLOWED_CHANNEL_IDS, for commands, buttons and the modal alike', async () => {
    await using w = await startBotWorld({ env: { ALLOWED_CHANNEL_IDS: 'C_OTHER' } });
    w.addMergeRequest(42);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', channel_id: CHANNEL });
    expect(shown(await lastAnswer(w))).toContain('cannot be launched or changed in this channel');

    await w.slack.sendSlashCommand(w.eventsUrl, { text: '', channel_id: CHANNEL });
    await eventually(() => expect(w.slack.responses()).toHaveLength(2));
    expect(w.slack.views()).toHaveLength(0);

    await w.slack.sendBlockAction(w.eventsUrl, {
      user_id: ALICE,
      channel_id: CHANNEL,
      actions: [{ action_id: ACTIONS.relaunch, value: buttonValue(42) }],
    });
    await eventually(() =>
      expect(w.slack.ephemerals().some((e) => shown(e).includes('Use <#C_OTHER>'))).toBe(true),
    );

    const submitted = await w.slack.sendViewSubmission(w.eventsUrl, {
      user_id: ALICE,
      view: {
        callback_id: 'review_app_launch_modal',
        private_metadata: JSON.stringify({ channel: CHANNEL }),
        blocks: launchModal(CHANNEL).blocks,
        state: {
          values: {
            [BLOCKS.pickMr]: {
              [ACTIONS.pickMr]: {
                type: 'external_select',
                selected_option: { text: { type: 'plain_text', text: '!42' }, value: '42' },
              },
            },
          },
        },
      },
    });
    expect(JSON.stringify(submitted.response)).toContain('cannot be launched in the channel');
    expect(submitted.refused).toBeUndefined();
    expect(w.aws.callsTo('RunTask')).toHaveLength(0);
    expect(w.gitlab.requests).toHaveLength(0);
  });

  it('lets allowed people in allowed channels launch', async () => {
    await using w = await startBotWorld({
      env: { ALLOWED_USER_IDS: `${ALICE},${BOB}`, ALLOWED_CHANNEL_IDS: CHANNEL },
    });
    w.addMergeRequest(42);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: BOB });
    await eventually(() => expect(w.aws.callsTo('RunTask')).toHaveLength(1));
  });
});

describe('what it may cost', () => {
  it('stops at MAX_APPS_PER_USER, listing the running apps with a Stop button for each of the asker’s own', async () => {
    await using w = await startBotWorld({ env: { MAX_APPS_PER_USER: '2' } });
    for (const mr of [1, 2, 3, 4]) w.addMergeRequest(mr, { title: `Feature ${mr}` });
    await launchedFromSlack(w, 1, ALICE);
    await launchedFromSlack(w, 2, ALICE);
    await launchedFromSlack(w, 3, BOB);

    await w.slack.sendSlashCommand(w.eventsUrl, { text: '4', user_id: ALICE });
    const answer = await eventually(async () => {
      const body = await lastAnswer(w);
      expect(shown(body)).toContain('You already have 2 review apps running');
      return body;
    });
    expect(shown(answer)).toContain('!1 Feature 1');
    expect(shown(answer)).toContain('!2 Feature 2');
    expect(buttons(answer).map((b) => b.text)).toEqual(['Stop !1', 'Stop !2']);
    expect(w.aws.callsTo('RunTask')).toHaveLength(3);

    // Each Stop button is its own: the second one stops !2 and nothing else.
    const stopSecond = buttons(answer)[1];
    await w.slack.sendBlockAction(w.eventsUrl, {
      user_id: ALICE,
      channel_id: CHANNEL,
      actions: [{ action_id: stopSecond?.action_id as string, value: stopSecond?.value as string }],
    });
    await eventually(() => expect(w.aws.callsTo('StopTask')).toHaveLength(1));
    const stopped = w.aws.callsTo('StopTask')[0]?.task as string;
    expect(taskTags(w.aws, stopped)['review-app:mr']).toBe('2');
  });

  it('stops at MAX_RUNNING_APPS for everyone', async () => {
    await using w = await startBotWorld({ env: { MAX_RUNNING_APPS: '1' } });
    w.addMergeRequest(1);
    w.addMergeRequest(2);
    await launchedFromSlack(w, 1, ALICE);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '2', user_id: BOB });
    const answer = await eventually(async () => {
      const body = await lastAnswer(w);
      expect(shown(body)).toContain('1 review app is running, the most allowed at once (1)');
      return body;
    });
    expect(buttons(answer)).toEqual([]);
    expect(w.aws.callsTo('RunTask')).toHaveLength(1);
  });

  it('shows the estimated cost in the thread and the total in the list, noting Spot', async () => {
    await using w = await startBotWorld({ env: { ECS_CAPACITY_PROVIDER: 'FARGATE_SPOT' } });
    w.addMergeRequest(1);
    await launchedFromSlack(w, 1, ALICE);
    const status = w.slack.messages(CHANNEL).find((m) => m.thread_ts);
    expect(shown(status as never)).toMatch(/cost so far (< )?\$0\.\d{3} \(Spot\)/);
    w.clock.advance(60 * 60_000);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: 'list' });
    // 0.25 vCPU and 0.5 GB for an hour at Spot prices (70% off the defaults).
    const expected = (0.25 * 0.04048 + 0.5 * 0.004445) * 0.3;
    expect(shown(await lastAnswer(w))).toContain(
      `Estimated cost of the running apps so far: $${expected.toFixed(3)} (Spot)`,
    );
  });
});

describe('what can be launched', () => {
  it('runs only the configured task definition, cluster, subnets and image, whatever the input says', async () => {
    await using w = await startBotWorld();
    const { image } = w.addMergeRequest(42);
    await w.slack.sendSlashCommand(w.eventsUrl, {
      text: '42 --image evil.example/x:1 --cluster prod',
    });
    expect(shown(await lastAnswer(w))).toContain('I did not understand');
    await w.slack.sendBlockAction(w.eventsUrl, {
      user_id: ALICE,
      channel_id: CHANNEL,
      actions: [
        {
          action_id: ACTIONS.relaunch,
          value: JSON.stringify({
            mr: 42,
            image: 'evil.example/x:1',
            cluster: 'prod',
            command: ['sh'],
          }),
        },
      ],
    });
    await eventually(() => expect(w.aws.callsTo('RunTask')).toHaveLength(1));
    const [run] = w.aws.callsTo('RunTask');
    expect(run).toMatchObject({ cluster: 'review-apps' });
    expect(run?.overrides).toBeUndefined();
    const containers = w.aws.callsTo('RegisterTaskDefinition')[0]?.containerDefinitions as {
      name: string;
      image: string;
      command?: string[];
    }[];
    expect(containers.find((c) => c.name === 'web')).toMatchObject({
      image,
      command: ['node', 'server.js'],
    });
  });
});
