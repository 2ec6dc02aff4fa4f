import type { RespondFn } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { startSlackStandIn } from '../src/slack.js';
import {
  clientFor,
  deferred,
  expectInvalidBlocks,
  platformError,
  startBolt,
} from './slack-fixtures.js';

/** Block Kit's limits and the refusals around them, each as Slack answers it. */

const button = (action_id: string, text = 'Stop') => ({
  type: 'button' as const,
  action_id,
  value: '{"mr":1}',
  text: { type: 'plain_text' as const, text },
});
const section = (text: string, block_id?: string) => ({
  type: 'section' as const,
  ...(block_id ? { block_id } : {}),
  text: { type: 'mrkdwn' as const, text },
});

describe('Block Kit limits on every message', () => {
  it.each([
    [
      'two elements of one actions block with the same action_id',
      [{ type: 'actions', elements: [button('review_app_stop'), button('review_app_stop')] }],
      '/blocks/0/elements/1/action_id',
    ],
    [
      'two blocks of one message with the same block_id',
      [section('one', 'status'), section('two', 'status')],
      '/blocks/1/block_id',
    ],
    [
      'more than 25 elements in an actions block',
      [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`b${i}`)) }],
      '/blocks/0/elements',
    ],
    [
      'more than 10 elements in a context block',
      [
        {
          type: 'context',
          elements: Array.from({ length: 11 }, (_, i) => ({ type: 'mrkdwn', text: `${i}` })),
        },
      ],
      '/blocks/0/elements',
    ],
  ])('refuses %s: invalid_blocks, and nothing is posted', async (_name, blocks, pointer) => {
    await expectInvalidBlocks(blocks as unknown[], pointer as string);
  });

  it('accepts the same action_id in two different blocks, and exactly the limits', async () => {
    await using slack = await startSlackStandIn();
    const client = clientFor(slack);
    await client.chat.postMessage({
      channel: 'C1',
      text: 't',
      blocks: [
        { type: 'actions' as const, elements: [button('review_app_stop')] },
        { type: 'actions' as const, elements: [button('review_app_stop')] },
        {
          type: 'actions' as const,
          elements: Array.from({ length: 25 }, (_, i) => button(`b${i}`)),
        },
        section('x'.repeat(3000)),
        { type: 'header' as const, text: { type: 'plain_text' as const, text: 'h'.repeat(150) } },
      ],
    });
    expect(slack.messages('C1')).toHaveLength(1);
  });

  it('refuses invalid blocks in an ephemeral, which nobody then sees', async () => {
    await using slack = await startSlackStandIn();
    const client = clientFor(slack);
    const data = await platformError(
      client.chat.postEphemeral({
        channel: 'C_REVIEWS',
        user: 'U_ALICE',
        text: 't',
        blocks: [{ type: 'actions' as const, elements: [button('same'), button('same')] }],
      }),
    );
    expect(data.error).toBe('invalid_blocks');
    expect(slack.ephemerals()).toHaveLength(0);
  });

  it('refuses a view of more than 100 blocks on views.open', async () => {
    await using slack = await startSlackStandIn();
    const client = clientFor(slack);
    const view = (blocks: number) => ({
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Review app' },
      blocks: Array.from({ length: blocks }, () => ({ type: 'divider' as const })),
    });
    const refused = await platformError(
      client.views.open({ trigger_id: slack.issueTriggerId(), view: view(101) }),
    );
    expect(refused.error).toBe('invalid_arguments');
    expect(slack.views()).toHaveLength(0);
    await client.views.open({ trigger_id: slack.issueTriggerId(), view: view(100) });
    expect(slack.views()).toHaveLength(1);
  });
});

describe('views.update and views.push', () => {
  const view = (blocks: unknown[]) => ({
    type: 'modal' as const,
    title: { type: 'plain_text' as const, text: 'Review app' },
    blocks: blocks as { type: 'divider' }[],
  });
  const dividers = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' }));

  it('updates a view under the same limits, refusing a stale hash and a view that is gone', async () => {
    await using slack = await startSlackStandIn();
    const client = clientFor(slack);
    const opened = await client.views.open({
      trigger_id: slack.issueTriggerId(),
      view: view([section('one')]),
    });
    const id = opened.view?.id as string;
    const tooMany = await platformError(
      client.views.update({ view_id: id, view: view(dividers(101)) }),
    );
    expect(tooMany.error).toBe('invalid_arguments');
    const sameId = await platformError(
      client.views.update({ view_id: id, view: view([section('a', 'x'), section('b', 'x')]) }),
    );
    expect(sameId.error).toBe('invalid_arguments');
    const stale = await platformError(
      client.views.update({ view_id: id, hash: 'stale', view: view([section('two')]) }),
    );
    expect(stale.error).toBe('hash_conflict');
    expect(slack.views()[0]?.blocks).toEqual([section('one')]);

    await client.views.update({
      view_id: id,
      hash: opened.view?.hash as string,
      view: view([section('two')]),
    });
    expect(slack.views()[0]?.blocks).toEqual([section('two')]);
    slack.closeView(id);
    const gone = await platformError(client.views.update({ view_id: id, view: view([]) }));
    expect(gone.error).toBe('not_found');
  });

  it('pushes checked views onto an open modal, three at most', async () => {
    await using slack = await startSlackStandIn();
    const client = clientFor(slack);
    await client.views.open({ trigger_id: slack.issueTriggerId(), view: view([]) });
    const refused = await platformError(
      client.views.push({ trigger_id: slack.issueTriggerId(), view: view(dividers(101)) }),
    );
    expect(refused.error).toBe('invalid_arguments');
    await client.views.push({ trigger_id: slack.issueTriggerId(), view: view([]) });
    await client.views.push({ trigger_id: slack.issueTriggerId(), view: view([]) });
    const fourth = await platformError(
      client.views.push({ trigger_id: slack.issueTriggerId(), view: view([]) }),
    );
    expect(fourth.error).toBe('push_limit_reached');
    const [root, second, third] = slack.views();
    expect(third).toMatchObject({ root_view_id: root?.id, previous_view_id: second?.id });
  });
});

describe('response_url answers', () => {
  it('refuses invalid blocks with HTTP 400, which respond() throws, and shows nothing', async () => {
    await using slack = await startSlackStandIn();
    const answered = deferred<unknown>();
    await using bolt = await startBolt(slack, (app) => {
      app.command('/review-app', async ({ ack, respond }) => {
        await ack();
        answered.resolve(
          await (respond as RespondFn)({
            response_type: 'ephemeral',
            text: 'You already have 2 review apps running',
            blocks: [{ type: 'actions' as const, elements: [button('stop'), button('stop')] }],
          }).then(
            () => 'posted',
            (error: unknown) => error,
          ),
        );
      });
    });
    await slack.sendSlashCommand(bolt.url, { text: '4' });
    expect(String(await answered.promise)).toContain('400');
    expect(slack.responses()).toEqual([]);
    expect(slack.ephemerals()).toEqual([]);
    expect(slack.messages()).toEqual([]);
  });
});

describe('direct messages', () => {
  it('answers channel_not_found to chat.postMessage in a DM between other people', async () => {
    await using slack = await startSlackStandIn();
    const client = clientFor(slack);
    const refused = await platformError(
      client.chat.postMessage({ channel: 'D_ALICE_BOB', text: 'launching' }),
    );
    expect(refused.error).toBe('channel_not_found');
    expect(slack.messages()).toEqual([]);
    // The bot's own DM with someone, by their id or by the DM's id, takes messages.
    const direct = await client.chat.postMessage({ channel: 'U_BOB', text: 'just for you' });
    await client.chat.postMessage({ channel: direct.channel as string, text: 'again' });
    expect(slack.directMessages('U_BOB').map((m) => m.text)).toEqual(['just for you', 'again']);
  });
});

describe('view_submission answers', () => {
  const modal = {
    type: 'modal' as const,
    callback_id: 'pick_mr',
    title: { type: 'plain_text' as const, text: 'Launch a review app' },
    submit: { type: 'plain_text' as const, text: 'Launch' },
    blocks: [
      section('Pick one', 'intro'),
      {
        type: 'input' as const,
        block_id: 'mr',
        label: { type: 'plain_text' as const, text: 'Merge request' },
        element: { type: 'external_select' as const, action_id: 'mr_select' },
      },
    ],
  };

  it.each([
    ['a block that is no input block', { intro: 'Pick one' }],
    ['no block of the view', { mr_select: 'Pick one' }],
    ['nothing at all', {}],
  ])(
    'refuses errors that name %s: the modal stays open and shows none of them',
    async (_n, errors) => {
      await using slack = await startSlackStandIn();
      await using bolt = await startBolt(slack, (app) => {
        app.view('pick_mr', async ({ ack }) => ack({ response_action: 'errors', errors }));
      });
      const opened = await bolt.app.client.views.open({
        trigger_id: slack.issueTriggerId(),
        view: modal,
      });
      const submitted = await slack.sendViewSubmission(bolt.url, {
        view_id: opened.view?.id as string,
      });
      expect(submitted.refused?.length).toBeGreaterThan(0);
      expect(slack.views()[0]).toMatchObject({ closed: false });
      expect(slack.views()[0]?.errors).toBeUndefined();
    },
  );

  it('shows errors keyed by an input block under it, and keeps the modal open', async () => {
    await using slack = await startSlackStandIn();
    await using bolt = await startBolt(slack, (app) => {
      app.view('pick_mr', async ({ ack }) =>
        ack({ response_action: 'errors', errors: { mr: 'Closed MR' } }),
      );
    });
    const opened = await bolt.app.client.views.open({
      trigger_id: slack.issueTriggerId(),
      view: modal,
    });
    const submitted = await slack.sendViewSubmission(bolt.url, {
      view_id: opened.view?.id as string,
    });
    expect(submitted.refused).toBeUndefined();
    expect(slack.views()[0]).toMatchObject({ closed: false, errors: { mr: 'Closed MR' } });
  });
});
