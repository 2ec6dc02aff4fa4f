import { describe, expect, it, vi } from 'vitest';
import { startSlackStandIn } from '../src/slack.js';
import { deferred, startBolt } from './slack-fixtures.js';

const actionsMessage = {
  channel: 'C_REVIEWS',
  text: 'Review app for !42 is up',
  blocks: [
    { type: 'section', block_id: 'status', text: { type: 'mrkdwn', text: '*!42* is up' } },
    {
      type: 'actions',
      block_id: 'controls',
      elements: [
        {
          type: 'button',
          action_id: 'extend',
          value: '42',
          text: { type: 'plain_text' as const, text: 'Extend' },
        },
      ],
    },
  ],
};

describe('Slack stand-in driving a real Bolt app over HTTP', () => {
  it('sends a signed slash command that Bolt routes, acks and answers through response_url', async () => {
    await using slack = await startSlackStandIn();
    const received = deferred<Record<string, unknown>>();
    const responded = deferred();
    await using bolt = await startBolt(slack, (app) => {
      app.command('/review-app', async ({ ack, command, respond }) => {
        await ack(`Launching !${command.text}…`);
        received.resolve(command);
        await respond({ response_type: 'in_channel', text: 'Review app for !42 is starting' });
        responded.resolve();
      });
    });

    const result = await slack.sendSlashCommand(bolt.url, { text: '42' });

    expect(result.status).toBe(200);
    expect(result.body).toBe('Launching !42…');
    expect(result.acknowledgedInTime).toBe(true);
    const command = await received.promise;
    expect(command).toMatchObject({
      command: '/review-app',
      text: '42',
      user_id: 'U_ALICE',
      user_name: 'alice',
      channel_id: 'C_REVIEWS',
      team_id: slack.teamId,
      api_app_id: slack.appId,
      trigger_id: result.triggerId,
      response_url: result.responseUrl,
    });
    await responded.promise;
    expect(slack.responses()).toMatchObject([
      { response_type: 'in_channel', text: 'Review app for !42 is starting' },
    ]);
    expect(slack.messages('C_REVIEWS')).toMatchObject([
      { text: 'Review app for !42 is starting', source: 'response_url' },
    ]);
    expect(slack.calls('auth.test').length).toBeGreaterThan(0);
  });

  it('refuses a bad signature and a stale timestamp with 401, as Bolt verifies them', async () => {
    await using slack = await startSlackStandIn();
    let handled = 0;
    await using bolt = await startBolt(slack, (app) => {
      app.command('/review-app', async ({ ack }) => {
        handled += 1;
        await ack();
      });
    });
    const body = new URLSearchParams({
      command: '/review-app',
      text: '1',
      team_id: 'T1',
    }).toString();

    const forged = await slack.sendSigned(bolt.url, body, { secret: 'not-the-secret' });
    const stale = await slack.sendSigned(bolt.url, body, {
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    const good = await slack.sendSigned(bolt.url, body);

    expect(forged.status).toBe(401);
    expect(stale.status).toBe(401);
    expect(good.status).toBe(200);
    expect(handled).toBe(1);
  });

  it('clicks a button on a posted message; respond() replaces the original', async () => {
    await using slack = await startSlackStandIn();
    const clicked = deferred<Record<string, unknown>>();
    await using bolt = await startBolt(slack, (app) => {
      app.action('extend', async ({ ack, body, respond }) => {
        await ack();
        await respond({ replace_original: true, text: 'Extended until 15:30' });
        clicked.resolve(body as unknown as Record<string, unknown>);
      });
    });
    const posted = await bolt.app.client.chat.postMessage(actionsMessage);

    const result = await slack.sendBlockAction(bolt.url, {
      channel_id: 'C_REVIEWS',
      message_ts: posted.ts as string,
      actions: [{ action_id: 'extend', value: '42' }],
    });

    expect(result.status).toBe(200);
    const body = await clicked.promise;
    expect(body).toMatchObject({
      type: 'block_actions',
      user: { id: 'U_ALICE' },
      container: { type: 'message', message_ts: posted.ts, channel_id: 'C_REVIEWS' },
      channel: { id: 'C_REVIEWS', name: 'reviews' },
      message: { ts: posted.ts, blocks: actionsMessage.blocks },
      actions: [{ action_id: 'extend', block_id: 'controls', value: '42', type: 'button' }],
      trigger_id: result.triggerId,
    });
    expect(slack.messages('C_REVIEWS')[0]).toMatchObject({
      text: 'Extended until 15:30',
      updates: 1,
    });
  });

  it('a click on an ephemeral message replaces that ephemeral through its response_url', async () => {
    await using slack = await startSlackStandIn();
    await using bolt = await startBolt(slack, (app) => {
      app.action('extend', async ({ ack, respond }) => {
        await ack();
        await respond({ response_type: 'ephemeral', replace_original: false, ...actionsMessage });
      });
      app.action('confirm', async ({ ack, respond }) => {
        await ack();
        await respond({ replace_original: true, text: 'Done' });
      });
    });
    const posted = await bolt.app.client.chat.postMessage(actionsMessage);
    await slack.sendBlockAction(bolt.url, {
      channel_id: 'C_REVIEWS',
      message_ts: posted.ts as string,
      actions: [{ action_id: 'extend', value: '42' }],
    });
    const question = await vi.waitFor(() => {
      const [answered] = slack.ephemerals();
      if (!answered) throw new Error('no ephemeral answer yet');
      return answered;
    });

    await slack.sendBlockAction(bolt.url, {
      channel_id: 'C_REVIEWS',
      message_ts: question.ts,
      container: {
        type: 'message',
        message_ts: question.ts,
        channel_id: 'C_REVIEWS',
        is_ephemeral: true,
      },
      actions: [{ action_id: 'confirm', value: '42' }],
    });

    await vi.waitFor(() => expect(slack.ephemerals()[0]?.text).toBe('Done'));
    expect(slack.ephemerals()).toHaveLength(1);
    expect(slack.messages('C_REVIEWS')).toMatchObject([{ text: actionsMessage.text, updates: 0 }]);
  });

  it('opens a modal from a command, then submits it: errors keep it open, an empty ack closes it', async () => {
    await using slack = await startSlackStandIn();
    const opened = deferred<string>();
    await using bolt = await startBolt(slack, (app) => {
      app.command('/review-app', async ({ ack, client, body }) => {
        await ack();
        const view = await client.views.open({
          trigger_id: body.trigger_id,
          view: {
            type: 'modal',
            callback_id: 'pick_mr',
            private_metadata: 'C_REVIEWS',
            title: { type: 'plain_text', text: 'Launch a review app' },
            submit: { type: 'plain_text', text: 'Launch' },
            blocks: [
              {
                type: 'input',
                block_id: 'mr',
                label: { type: 'plain_text', text: 'Merge request' },
                element: { type: 'external_select', action_id: 'mr_select' },
              },
            ],
          },
        });
        opened.resolve(view.view?.id as string);
      });
      app.view('pick_mr', async ({ ack, view }) => {
        const selected = view.state.values.mr?.mr_select?.selected_option?.value;
        if (selected === '13')
          await ack({ response_action: 'errors', errors: { mr: 'Closed MR' } });
        else await ack();
      });
      app.options('mr_select', async ({ ack, options }) => {
        await ack({
          options: [{ text: { type: 'plain_text', text: `!42 ${options.value}` }, value: '42' }],
        });
      });
    });

    await slack.sendSlashCommand(bolt.url, { text: '' });
    const viewId = await opened.promise;
    const suggestions = await slack.sendOptionsRequest(bolt.url, {
      action_id: 'mr_select',
      value: 'fix login',
      view_id: viewId,
    });
    expect(suggestions.options).toEqual({
      options: [{ text: { type: 'plain_text', text: '!42 fix login' }, value: '42' }],
    });

    const state = (value: string) => ({
      values: { mr: { mr_select: { type: 'external_select', selected_option: { value } } } },
    });
    const refused = await slack.sendViewSubmission(bolt.url, {
      view_id: viewId,
      view: { state: state('13') },
    });
    expect(refused.response).toEqual({ response_action: 'errors', errors: { mr: 'Closed MR' } });
    expect(slack.views()[0]?.closed).toBe(false);

    const accepted = await slack.sendViewSubmission(bolt.url, {
      view_id: viewId,
      view: { state: state('42') },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.payload).toMatchObject({
      type: 'view_submission',
      view: { id: viewId, callback_id: 'pick_mr', private_metadata: 'C_REVIEWS' },
    });
    expect(slack.views()[0]?.closed).toBe(true);
  });
});
