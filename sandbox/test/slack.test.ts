import { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { startSlackStandIn } from '../src/slack.js';
import { clientFor, expectInvalidBlocks, platformError } from './slack-fixtures.js';

describe('Slack stand-in Web API with the real WebClient', () => {
  it('posts messages and thread replies, form-encoded with a bearer token', async () => {
    await using slack = await startSlackStandIn();
    const client = clientFor(slack);
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*!42* starting' } }];
    const parent = await client.chat.postMessage({ channel: 'C1', text: 'starting', blocks });
    const reply = await client.chat.postMessage({
      channel: 'C1',
      thread_ts: parent.ts as string,
      text: 'expired',
      reply_broadcast: true,
    });

    expect(parent.ok).toBe(true);
    expect(parent.ts).toMatch(/^\d+\.\d{6}$/);
    expect(Number(reply.ts)).toBeGreaterThan(Number(parent.ts));
    expect(parent.message?.blocks).toEqual(blocks);
    expect(slack.messages('C1').map((m) => m.text)).toEqual(['starting', 'expired']);
    expect(slack.thread('C1', parent.ts as string)).toMatchObject([
      { text: 'expired', reply_broadcast: true, thread_ts: parent.ts },
    ]);

    const request = slack.requests.find((r) => r.operation === 'chat.postMessage');
    expect(request?.headers.authorization).toBe('Bearer xoxb-test');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(slack.calls('chat.postMessage')[0]).toMatchObject({ channel: 'C1', blocks });
  });

  it('updates a message, and answers message_not_found once a user deleted it', async () => {
    await using slack = await startSlackStandIn();
    const client = clientFor(slack);
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'launching' });
    const ts = posted.ts as string;

    await client.chat.update({ channel: 'C1', ts, text: '10 minutes left' });
    expect(slack.messages('C1')[0]).toMatchObject({ text: '10 minutes left', updates: 1 });

    slack.deleteMessage('C1', ts);
    const data = await platformError(
      client.chat.update({ channel: 'C1', ts, text: '9 minutes left' }),
    );
    expect(data.error).toBe('message_not_found');
    expect(slack.messages('C1')[0]).toMatchObject({ deleted: true, updates: 1 });
  });

  it('rate-limits with 429 and Retry-After, which the WebClient honours by retrying', async () => {
    await using slack = await startSlackStandIn();
    slack.rateLimit('chat.update', 0, 2);
    const client = clientFor(slack, {
      retryConfig: { retries: 3, factor: 1, minTimeout: 0, maxTimeout: 0 },
    });
    const rateLimited: number[] = [];
    client.on(webApi.WebClientEvent.RATE_LIMITED, (seconds: number) => rateLimited.push(seconds));
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'a' });

    const updated = await client.chat.update({ channel: 'C1', ts: posted.ts as string, text: 'b' });

    expect(updated.ok).toBe(true);
    expect(rateLimited).toEqual([0, 0]);
    expect(slack.calls('chat.update')).toHaveLength(3);
    expect(slack.messages('C1')[0]?.text).toBe('b');
  });

  it('surfaces the rate limit to callers that reject rate-limited calls', async () => {
    await using slack = await startSlackStandIn();
    slack.rateLimit('chat.postMessage', 1);
    const client = clientFor(slack, { rejectRateLimitedCalls: true });

    const error = await client.chat.postMessage({ channel: 'C1', text: 'x' }).catch((e) => e);

    expect(error.code).toBe(webApi.ErrorCode.RateLimitedError);
    expect(error.retryAfter).toBe(1);
    expect(slack.messages()).toHaveLength(0);
  });

  it.each([
    ['more than 50 blocks', Array.from({ length: 51 }, () => ({ type: 'divider' })), '/blocks'],
    [
      'section text over 3000 characters',
      [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }],
      '/blocks/0/text/text',
    ],
    [
      'button text over 75 characters',
      [
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: 'open',
              text: { type: 'plain_text', text: 'y'.repeat(76) },
            },
          ],
        },
      ],
      '/blocks/0/elements/0/text/text',
    ],
    [
      'button value over 2000 characters',
      [
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: 'open',
              value: 'v'.repeat(2001),
              text: { type: 'plain_text', text: 'Open' },
            },
          ],
        },
      ],
      '/blocks/0/elements/0/value',
    ],
    [
      'header text over 150 characters',
      [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      '/blocks/0/text/text',
    ],
    [
      'block_id over 255 characters',
      [{ type: 'divider', block_id: 'b'.repeat(256) }],
      '/blocks/0/block_id',
    ],
  ])('rejects invalid blocks: %s', async (_name, blocks, pointer) => {
    await expectInvalidBlocks(blocks as unknown[], pointer as string);
  });

  it('checks blocks on chat.update too, and accepts blocks without top-level text', async () => {
    await using slack = await startSlackStandIn();
    const client = clientFor(slack);
    const posted = await client.chat.postMessage({
      channel: 'C1',
      blocks: [{ type: 'section', text: { type: 'plain_text', text: 'no fallback text' } }],
    });
    const data = await platformError(
      client.chat.update({
        channel: 'C1',
        ts: posted.ts as string,
        blocks: [
          {
            type: 'section',
            fields: Array.from({ length: 11 }, (_, i) => ({
              type: 'mrkdwn' as const,
              text: `${i}`,
            })),
          },
        ],
      }),
    );
    expect(data.error).toBe('invalid_blocks');
  });

  it('answers channel_not_found, unknown_method, invalid_auth and not_allowed_token_type', async () => {
    await using slack = await startSlackStandIn({ unknownChannels: ['C_GONE'] });
    const client = clientFor(slack);

    expect(
      (await platformError(client.chat.postMessage({ channel: 'C_GONE', text: 'x' }))).error,
    ).toBe('channel_not_found');
    expect((await platformError(client.apiCall('files.upload.magic'))).error).toBe(
      'unknown_method',
    );
    expect(slack.requests.at(-1)?.operation).toBe('files.upload.magic');
    const stranger = clientFor({ apiUrl: slack.apiUrl, botToken: 'xoxb-wrong' });
    expect((await platformError(stranger.auth.test())).error).toBe('invalid_auth');
    expect((await platformError(client.apps.connections.open())).error).toBe(
      'not_allowed_token_type',
    );
    expect((await client.auth.test()).user_id).toBe(slack.botUserId);
  });

  it('answers not_in_channel to an ephemeral where the bot is not a member, and posts direct messages', async () => {
    await using slack = await startSlackStandIn({ joinedChannels: ['C_JOINED'] });
    const client = clientFor(slack);
    const refused = await platformError(
      client.chat.postEphemeral({ channel: 'C_ELSEWHERE', user: 'U_BOB', text: 'only you' }),
    );
    expect(refused.error).toBe('not_in_channel');
    // chat:write.public lets a message through where an ephemeral is refused.
    await client.chat.postMessage({ channel: 'C_ELSEWHERE', text: 'public' });
    await client.chat.postEphemeral({ channel: 'C_JOINED', user: 'U_BOB', text: 'in here' });
    slack.setMember('C_ELSEWHERE', true);
    await client.chat.postEphemeral({ channel: 'C_ELSEWHERE', user: 'U_BOB', text: 'invited' });

    const direct = await client.chat.postMessage({ channel: 'U_BOB', text: 'just for you' });
    expect(direct.channel).toMatch(/^D/);
    expect(slack.directMessages('U_BOB')).toMatchObject([{ text: 'just for you' }]);
    // In the bot's own DM with Bob, yes; in a DM between two other people, the bot sees nothing.
    await client.chat.postEphemeral({
      channel: direct.channel as string,
      user: 'U_BOB',
      text: 'dm',
    });
    const elsewhere = await platformError(
      client.chat.postEphemeral({ channel: 'D_OTHERS', user: 'U_BOB', text: 'dm' }),
    );
    expect(elsewhere.error).toBe('channel_not_found');
    expect(slack.ephemerals('U_BOB').map((e) => e.text)).toEqual(['in here', 'invited', 'dm']);
  });

  it('posts ephemerals and permalinks', async () => {
    await using slack = await startSlackStandIn({ joinedChannels: ['C1'] });
    const client = clientFor(slack);
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'status' });
    const ephemeral = await client.chat.postEphemeral({
      channel: 'C1',
      user: 'U_BOB',
      text: 'only you',
    });
    const link = await client.chat.getPermalink({ channel: 'C1', message_ts: posted.ts as string });

    expect(ephemeral.message_ts).toBeTruthy();
    expect(slack.ephemerals('U_BOB')).toMatchObject([{ channel: 'C1', text: 'only you' }]);
    expect(link.permalink).toBe(
      `https://stand-in.slack.test/archives/C1/p${(posted.ts as string).replace('.', '')}`,
    );
  });

  it('opens a modal with a fresh trigger_id, once, and refuses one older than 3 seconds', async () => {
    let now = 1_700_000_000_000;
    await using slack = await startSlackStandIn({ now: () => now });
    const client = clientFor(slack);
    const view = {
      type: 'modal' as const,
      callback_id: 'pick_mr',
      title: { type: 'plain_text' as const, text: 'Launch a review app' },
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Pick one' } }],
    };

    const trigger = slack.issueTriggerId('U_ALICE');
    now += 2_999;
    const opened = await client.views.open({ trigger_id: trigger, view });
    expect(opened.view?.id).toMatch(/^V/);
    expect(slack.views()).toMatchObject([
      { user: 'U_ALICE', callback_id: 'pick_mr', closed: false },
    ]);

    const reused = await platformError(client.views.open({ trigger_id: trigger, view }));
    expect(reused.error).toBe('expired_trigger_id');

    const late = slack.issueTriggerId();
    now += 3_001;
    expect((await platformError(client.views.open({ trigger_id: late, view }))).error).toBe(
      'expired_trigger_id',
    );
    expect((await platformError(client.views.open({ trigger_id: 'made.up', view }))).error).toBe(
      'expired_trigger_id',
    );
  });

  it('validates modals', async () => {
    await using slack = await startSlackStandIn();
    const client = clientFor(slack);
    const view = {
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Review app' },
      blocks: [],
    };
    const tooLong = {
      ...view,
      title: { type: 'plain_text' as const, text: 'A title that is too long!' },
    };
    const invalid = await platformError(
      client.views.open({ trigger_id: slack.issueTriggerId(), view: tooLong }),
    );
    expect(invalid.error).toBe('invalid_arguments');

    const opened = await client.views.open({ trigger_id: slack.issueTriggerId(), view });
    expect(opened.view?.title).toMatchObject({ text: 'Review app' });
  });

  it('accepts JSON bodies as Slack does', async () => {
    await using slack = await startSlackStandIn();
    const response = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer xoxb-test',
        'content-type': 'application/json; charset=utf-8',
      },
      body: JSON.stringify({ channel: 'C2', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await response.json()).toMatchObject({ ok: true, channel: 'C2' });
    expect(slack.messages('C2')[0]?.blocks).toEqual([{ type: 'divider' }]);
  });
});
