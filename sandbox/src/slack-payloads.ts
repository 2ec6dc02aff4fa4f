import { createHmac, randomUUID } from 'node:crypto';
import type { Obj, StoredMessage, StoredView } from './slack-model.js';

/**
 * What Slack sends to an app: slash commands, interaction payloads and
 * Events API callbacks, shaped as Slack shapes them, and the request
 * signature Slack puts on them.
 */

/**
 * Headers Slack puts on a request to an app: `v0=` + hex HMAC-SHA256 of
 * `v0:<timestamp>:<raw body>` with the signing secret.
 */
export function signSlackRequest(
  signingSecret: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = createHmac('sha256', signingSecret)
    .update(`v0:${timestamp}:${body}`)
    .digest('hex');
  return {
    'x-slack-signature': `v0=${signature}`,
    'x-slack-request-timestamp': String(timestamp),
    'content-type': body.trimStart().startsWith('{')
      ? 'application/json'
      : 'application/x-www-form-urlencoded',
  };
}

export interface SlashCommandOptions {
  command?: string;
  text: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  team_id?: string;
}

export interface ActionOptions {
  action_id: string;
  block_id?: string;
  value?: string;
  type?: string;
  /** For selects: the chosen option. */
  selected_option?: { text: unknown; value: string };
}

export interface BlockActionOptions {
  user_id?: string;
  /** A message action: the channel and the message's ts (its blocks come from the store). */
  channel_id?: string;
  message_ts?: string;
  thread_ts?: string;
  /** A modal action: the stored view's id instead of channel/message. */
  view_id?: string;
  actions: ActionOptions[];
  /** Replaces the computed container. */
  container?: Obj;
}

export interface ViewSubmissionOptions {
  user_id?: string;
  /** A view opened through views.open: its id (its content comes from the store). */
  view_id?: string;
  view?: {
    callback_id?: string;
    private_metadata?: string;
    /** For a view not opened through views.open: its blocks, which answered errors must name. */
    blocks?: unknown[];
    state?: { values: Obj };
  };
}

export interface OptionsRequestOptions {
  action_id: string;
  block_id?: string;
  value: string;
  user_id?: string;
  view_id?: string;
  channel_id?: string;
  message_ts?: string;
}

/** What the payload builders need from the stand-in. */
export interface PayloadContext {
  teamId: string;
  teamDomain: string;
  appId: string;
  botUserId: string;
  verificationToken: string;
  now(): number;
  userName(id: string): string;
  channelName(id: string): string;
  issueTrigger(user: string): string;
  issueResponseUrl(target: ResponseTarget): string;
  findMessage(channel: string, ts: string): StoredMessage | undefined;
  findView(id: string): StoredView | undefined;
  publicMessage(m: StoredMessage): Obj;
  publicView(v: StoredView): Obj;
}

/** Where a response_url's answers go. */
export interface ResponseTarget {
  channel: string;
  user: string;
  message_ts?: string;
  thread_ts?: string;
}

export const DEFAULT_USER = 'U_ALICE';
export const DEFAULT_CHANNEL = 'C_REVIEWS';

function actionTs(ctx: PayloadContext): string {
  return (ctx.now() / 1000).toFixed(6);
}

function userOf(ctx: PayloadContext, id: string): Obj {
  const name = ctx.userName(id);
  return { id, username: name, name, team_id: ctx.teamId };
}

function team(ctx: PayloadContext): Obj {
  return { id: ctx.teamId, domain: ctx.teamDomain };
}

/** Slash command fields, in Slack's order; the HTTP body form-encodes them. */
export function slashCommandPayload(
  ctx: PayloadContext,
  o: SlashCommandOptions,
): Record<string, string> {
  const user = o.user_id ?? DEFAULT_USER;
  const channel = o.channel_id ?? DEFAULT_CHANNEL;
  const userName = ctx.userName(user);
  return {
    token: ctx.verificationToken,
    team_id: o.team_id ?? ctx.teamId,
    team_domain: ctx.teamDomain,
    channel_id: channel,
    channel_name: o.channel_name ?? ctx.channelName(channel),
    user_id: user,
    user_name: o.user_name ?? userName,
    command: o.command ?? '/review-app',
    text: o.text,
    api_app_id: ctx.appId,
    is_enterprise_install: 'false',
    response_url: ctx.issueResponseUrl({ channel, user }),
    trigger_id: ctx.issueTrigger(user),
  };
}

/** Every element with an action_id in a list of blocks, with its block's id. */
function findElement(
  blocks: unknown,
  actionId: string,
): { block_id?: string; element: Obj } | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks as Obj[]) {
    const candidates = [
      ...(Array.isArray(block.elements) ? (block.elements as Obj[]) : []),
      ...(block.accessory ? [block.accessory as Obj] : []),
      ...(block.element ? [block.element as Obj] : []),
    ];
    const element = candidates.find((e) => e && e.action_id === actionId);
    if (element) return { block_id: block.block_id as string | undefined, element };
  }
  return undefined;
}

function buildActions(ctx: PayloadContext, actions: ActionOptions[], blocks: unknown): Obj[] {
  return actions.map((a) => {
    const found = findElement(blocks, a.action_id);
    const type = a.type ?? (found?.element.type as string | undefined) ?? 'button';
    return {
      type,
      action_id: a.action_id,
      block_id: a.block_id ?? found?.block_id ?? randomUUID().slice(0, 5),
      ...(type === 'button' && found?.element.text ? { text: found.element.text } : {}),
      ...(a.value !== undefined ? { value: a.value } : {}),
      ...(a.selected_option ? { selected_option: a.selected_option } : {}),
      action_ts: actionTs(ctx),
    };
  });
}

/** A `block_actions` interaction payload (a button click on a message or in a modal). */
export function blockActionsPayload(ctx: PayloadContext, o: BlockActionOptions): Obj {
  const user = o.user_id ?? DEFAULT_USER;
  const trigger_id = ctx.issueTrigger(user);
  const base = {
    type: 'block_actions',
    user: userOf(ctx, user),
    api_app_id: ctx.appId,
    token: ctx.verificationToken,
  };
  if (o.view_id !== undefined) {
    const view = ctx.findView(o.view_id);
    return {
      ...base,
      container: o.container ?? { type: 'view', view_id: o.view_id },
      trigger_id,
      team: team(ctx),
      enterprise: null,
      is_enterprise_install: false,
      view: view ? ctx.publicView(view) : { id: o.view_id, type: 'modal' },
      actions: buildActions(ctx, o.actions, view?.blocks),
    };
  }
  const channel = o.channel_id ?? DEFAULT_CHANNEL;
  const messageTs = o.message_ts ?? '';
  const stored = ctx.findMessage(channel, messageTs);
  const threadTs = o.thread_ts ?? stored?.thread_ts;
  const message = stored
    ? ctx.publicMessage(stored)
    : { type: 'message', ts: messageTs, user: ctx.botUserId, text: '' };
  return {
    ...base,
    container: o.container ?? {
      type: 'message',
      message_ts: messageTs,
      channel_id: channel,
      is_ephemeral: false,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    },
    trigger_id,
    team: team(ctx),
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: ctx.channelName(channel) },
    message,
    state: { values: {} },
    response_url: ctx.issueResponseUrl({
      channel,
      user,
      message_ts: messageTs,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    }),
    actions: buildActions(ctx, o.actions, stored?.blocks),
  };
}

/** A `view_submission` payload; a stored view gives the content, `view` overrides it. */
export function viewSubmissionPayload(ctx: PayloadContext, o: ViewSubmissionOptions): Obj {
  const stored = o.view_id ? ctx.findView(o.view_id) : undefined;
  const user = o.user_id ?? stored?.user ?? DEFAULT_USER;
  const base: Obj = stored
    ? ctx.publicView(stored)
    : {
        id: o.view_id ?? 'V_UNKNOWN',
        team_id: ctx.teamId,
        type: 'modal',
        blocks: [],
        private_metadata: '',
        callback_id: '',
        state: { values: {} },
        hash: '0.0',
        title: { type: 'plain_text', text: 'Stand-in' },
        app_id: ctx.appId,
        external_id: '',
      };
  return {
    type: 'view_submission',
    team: team(ctx),
    user: userOf(ctx, user),
    api_app_id: ctx.appId,
    token: ctx.verificationToken,
    trigger_id: ctx.issueTrigger(user),
    view: { ...base, ...(o.view ?? {}) },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** A `block_suggestion` payload (an external_select asking for options). */
export function blockSuggestionPayload(ctx: PayloadContext, o: OptionsRequestOptions): Obj {
  const user = o.user_id ?? DEFAULT_USER;
  const view = o.view_id ? ctx.findView(o.view_id) : undefined;
  const stored =
    o.channel_id && o.message_ts ? ctx.findMessage(o.channel_id, o.message_ts) : undefined;
  const found = findElement(view?.blocks ?? stored?.blocks, o.action_id);
  return {
    type: 'block_suggestion',
    user: userOf(ctx, user),
    container: o.view_id
      ? { type: 'view', view_id: o.view_id }
      : {
          type: 'message',
          message_ts: o.message_ts,
          channel_id: o.channel_id,
          is_ephemeral: false,
        },
    api_app_id: ctx.appId,
    token: ctx.verificationToken,
    action_id: o.action_id,
    block_id: o.block_id ?? found?.block_id ?? '',
    value: o.value,
    team: team(ctx),
    enterprise: null,
    is_enterprise_install: false,
    ...(view ? { view: ctx.publicView(view) } : {}),
    ...(o.channel_id ? { channel: { id: o.channel_id, name: ctx.channelName(o.channel_id) } } : {}),
  };
}
