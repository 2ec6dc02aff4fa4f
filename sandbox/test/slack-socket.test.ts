import { App, SocketModeReceiver } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type SlackStandIn, startSlackStandIn } from '../src/slack.js';
import { deferred, quietLogger } from './slack-fixtures.js';

/** A real Bolt app in Socket Mode against the stand-in, stopped on dispose. */
async function startSocketBolt(
  slack: SlackStandIn,
  setup: (app: App) => void,
  receiverOptions: { clientPingTimeout?: number } = {},
) {
  const clientOptions = { slackApiUrl: slack.apiUrl };
  const app =
    receiverOptions.clientPingTimeout === undefined
      ? new App({
          token: slack.botToken,
          appToken: slack.appToken,
          socketMode: true,
          clientOptions,
          logger: quietLogger(),
        })
      : new App({
          token: slack.botToken,
          clientOptions,
          logger: quietLogger(),
          receiver: new SocketModeReceiver({
            appToken: slack.appToken,
            logger: quietLogger(),
            clientPingTimeout: receiverOptions.clientPingTimeout,
            installerOptions: { clientOptions },
          }),
        });
  setup(app);
  await app.start();
  await slack.socket.connected();
  return {
    app,
    [Symbol.asyncDispose]: async () => {
      await app.stop();
    },
  };
}

describe('Slack stand-in as the Socket Mode end of a real Bolt app', () => {
  it('connects through apps.connections.open, greets with hello and gets the slash command ack', async () => {
    await using slack = await startSlackStandIn();
    const responded = deferred();
    await using _bolt = await startSocketBolt(slack, (app) => {
      app.command('/review-app', async ({ ack, command, respond }) => {
        await ack({ text: `Launching !${command.text}…` });
        await respond({ text: 'Only you can see this' });
        responded.resolve();
      });
    });

    const result = await slack.socket.sendSlashCommand({ text: '42' });

    expect(result.ack).toEqual({
      envelope_id: result.envelope_id,
      payload: { text: 'Launching !42…' },
    });
    expect(result.durationMs).toBeLessThan(3000);
    await responded.promise;
    expect(slack.ephemerals('U_ALICE')).toMatchObject([
      { channel: 'C_REVIEWS', text: 'Only you can see this', source: 'response_url' },
    ]);
    const open = slack.requests.find((r) => r.operation === 'apps.connections.open');
    expect(open?.headers.authorization).toBe(`Bearer ${slack.appToken}`);
    expect(slack.requests.some((r) => r.operation === 'socket.connect')).toBe(true);
  });

  it('delivers interactive envelopes; acks carry response payloads', async () => {
    await using slack = await startSlackStandIn();
    const clicked = deferred<string>();
    await using bolt = await startSocketBolt(slack, (app) => {
      app.action('stop', async ({ ack, action }) => {
        await ack();
        clicked.resolve((action as { value: string }).value);
      });
      app.view('pick_mr', async ({ ack }) => {
        await ack({ response_action: 'errors', errors: { mr: 'Pick an open MR' } });
      });
    });
    const posted = await bolt.app.client.chat.postMessage({ channel: 'C1', text: 'up' });

    const click = await slack.socket.sendBlockAction({
      channel_id: 'C1',
      message_ts: posted.ts as string,
      actions: [{ action_id: 'stop', value: '42' }],
    });
    const submit = await slack.socket.sendViewSubmission({
      view: {
        callback_id: 'pick_mr',
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

    expect(click.ack.envelope_id).toBe(click.envelope_id);
    expect(await clicked.promise).toBe('42');
    expect(submit.response).toEqual({
      response_action: 'errors',
      errors: { mr: 'Pick an open MR' },
    });
    expect(submit.refused).toBeUndefined();
  });

  it('answers the client pings, can ping it, and reconnects it after a disconnect message', async () => {
    await using slack = await startSlackStandIn();
    await using _bolt = await startSocketBolt(
      slack,
      (app) => {
        app.command('/review-app', async ({ ack }) => {
          await ack();
        });
      },
      { clientPingTimeout: 200 },
    );
    await slack.socket.ping();

    slack.socket.requestDisconnect();
    await slack.socket.connected(2);

    expect(slack.socket.greetings()).toBe(2);
    expect(slack.calls('apps.connections.open')).toHaveLength(2);
    const result = await slack.socket.sendSlashCommand({ text: 'list' });
    expect(result.ack.envelope_id).toBe(result.envelope_id);
  });

  it('sends hello as Slack does and accepts each connection ticket once', async () => {
    await using slack = await startSlackStandIn();
    const opened = await fetch(`${slack.apiUrl}apps.connections.open`, {
      method: 'POST',
      headers: { authorization: `Bearer ${slack.appToken}` },
    });
    const { url } = (await opened.json()) as { url: string };
    expect(url).toMatch(
      new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/socket\\?ticket=\\w+&app_id=${slack.appId}$`),
    );

    const first = new WebSocket(url);
    const hello = await new Promise<unknown>((resolve) =>
      first.once('message', (data) => resolve(JSON.parse(data.toString()))),
    );
    expect(hello).toEqual({
      type: 'hello',
      num_connections: 1,
      debug_info: expect.objectContaining({ host: expect.any(String) }),
      connection_info: { app_id: slack.appId },
    });

    const second = new WebSocket(url);
    second.on('error', () => {});
    const status = await new Promise<number | undefined>((resolve) => {
      second.once('unexpected-response', (_request, response) => resolve(response.statusCode));
      second.once('open', () => resolve(undefined));
    });
    expect(status).toBe(401);

    const closed = new Promise<number>((resolve) => first.once('close', (code) => resolve(code)));
    await slack.close();
    expect(await closed).toBe(1001);
  });
});
