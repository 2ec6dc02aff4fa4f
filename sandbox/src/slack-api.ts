import { checkMessageBlocks, checkModalView, problemMessages } from './slack-blocks.js';
import {
  bool,
  jsonField,
  type Obj,
  randomHex,
  SlackApiError,
  type StoredEphemeral,
  type StoredMessage,
  type StoredView,
  str,
} from './slack-model.js';

/**
 * The state of the Slack stand-in's workspace and the Web API methods that
 * act on it. Transport (HTTP, parsing, auth) lives in `slack.ts`.
 */

interface Trigger {
  issuedAt: number;
  used: boolean;
  user: string;
}

export interface WorkspaceOptions {
  teamId: string;
  teamDomain: string;
  botUserId: string;
  botId: string;
  appId: string;
  now: () => number;
  unknownChannels: string[];
  /** Channels the bot is a member of (invited, or joined itself). */
  joinedChannels: string[];
  /** Users the workspace starts with (more are met as they act). */
  knownUsers: string[];
  /** Socket Mode URL for apps.connections.open. */
  connectUrl: () => string;
}

export const TRIGGER_LIFETIME_MS = 3000;
const PUSH_LIMIT = 3;

/** The id of the bot's direct message conversation with `user` (Slack's are `D` + letters). */
export function directMessageChannel(user: string): string {
  return `D${user.replace(/^[UW]_?/, '')}`;
}
const MAX_TEXT = 40_000;

export class SlackWorkspace {
  readonly messages: StoredMessage[] = [];
  readonly ephemerals: StoredEphemeral[] = [];
  readonly views: StoredView[] = [];
  readonly unknownChannels: Set<string>;
  readonly joinedChannels: Set<string>;
  /** People the workspace has seen; the bot has a direct message conversation with each. */
  private readonly knownUsers = new Set<string>();
  private readonly triggers = new Map<string, Trigger>();
  private lastMicros = 0;
  private viewCounter = 0;
  private triggerCounter = 0;

  constructor(private readonly options: WorkspaceOptions) {
    this.unknownChannels = new Set(options.unknownChannels);
    this.joinedChannels = new Set(options.joinedChannels);
    for (const user of options.knownUsers) this.meetUser(user);
  }

  /** Someone who typed a command, clicked, or was written to: their DM with the bot exists. */
  meetUser(user: string): void {
    this.knownUsers.add(user);
  }

  private isOwnDirectMessage(channel: string): boolean {
    return [...this.knownUsers].some((user) => directMessageChannel(user) === channel);
  }

  /** Unique, increasing message timestamps derived from the clock ('1700000000.000100'). */
  nextTs(): string {
    const micros = Math.max(Math.floor(this.options.now() * 1000), this.lastMicros + 100);
    this.lastMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  issueTrigger(user: string): string {
    this.triggerCounter += 1;
    const id = `${Math.floor(this.options.now())}.${this.triggerCounter}.${randomHex(16)}`;
    this.triggers.set(id, { issuedAt: this.options.now(), used: false, user });
    return id;
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  findView(id: string): StoredView | undefined {
    return this.views.find((v) => v.id === id);
  }

  publicMessage(m: StoredMessage): Obj {
    return {
      type: 'message',
      user: m.user,
      bot_id: this.options.botId,
      app_id: this.options.appId,
      team: this.options.teamId,
      text: m.text,
      ts: m.ts,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.attachments ? { attachments: m.attachments } : {}),
      ...(m.thread_ts ? { thread_ts: m.thread_ts, parent_user_id: m.user } : {}),
    };
  }

  publicView(v: StoredView): Obj {
    const { user: _user, trigger_id: _trigger, closed: _closed, errors: _errors, ...rest } = v;
    return {
      ...rest,
      team_id: this.options.teamId,
      app_id: this.options.appId,
      app_installed_team_id: this.options.teamId,
      bot_id: this.options.botId,
      clear_on_close: false,
      notify_on_close: false,
    };
  }

  /** Runs a Web API method whose caller is already authenticated. */
  call(method: string, p: Obj): Obj {
    switch (method) {
      case 'auth.test':
        return {
          url: `https://${this.options.teamDomain}.slack.test/`,
          team: 'Stand-in Workspace',
          user: 'review-app',
          team_id: this.options.teamId,
          user_id: this.options.botUserId,
          bot_id: this.options.botId,
          is_enterprise_install: false,
        };
      case 'chat.postMessage':
        return this.postMessage(p);
      case 'chat.update':
        return this.update(p);
      case 'chat.postEphemeral':
        return this.postEphemeral(p);
      case 'chat.getPermalink': {
        const m = this.existing(p.channel, p.message_ts);
        const base = `https://${this.options.teamDomain}.slack.test/archives/${m.channel}/p${m.ts.replace('.', '')}`;
        const permalink = m.thread_ts ? `${base}?thread_ts=${m.thread_ts}&cid=${m.channel}` : base;
        return { channel: m.channel, permalink };
      }
      case 'views.open':
        return { view: this.publicView(this.openView(p)) };
      case 'views.update':
        return { view: this.publicView(this.updateView(p)) };
      case 'views.push':
        return { view: this.publicView(this.pushView(p)) };
      case 'apps.connections.open':
        return { url: this.options.connectUrl() };
      default:
        throw new SlackApiError('unknown_method');
    }
  }

  channel(value: unknown): string {
    const channel = str(value);
    if (!channel || this.unknownChannels.has(channel)) throw new SlackApiError('channel_not_found');
    return channel;
  }

  private existing(channel: unknown, ts: unknown): StoredMessage {
    const m = this.findMessage(this.channel(channel), str(ts) ?? '');
    if (!m || m.deleted) throw new SlackApiError('message_not_found');
    return m;
  }

  /** Text, blocks and attachments of a message, checked as Slack checks them. */
  content(
    p: Obj,
    requireSome: boolean,
  ): { text?: string; blocks?: unknown[]; attachments?: unknown[] } {
    const text = str(p.text);
    const blocks =
      p.blocks === undefined ? undefined : jsonField(p.blocks, 'invalid_blocks_format');
    const attachments =
      p.attachments === undefined ? undefined : jsonField(p.attachments, 'invalid_attachments');
    if (blocks !== undefined) {
      if (!Array.isArray(blocks)) throw new SlackApiError('invalid_blocks_format');
      const problems = checkMessageBlocks(blocks);
      if (problems.length > 0) throw new SlackApiError('invalid_blocks', problemMessages(problems));
    }
    if (attachments !== undefined && !Array.isArray(attachments)) {
      throw new SlackApiError('invalid_attachments');
    }
    const empty = !text && (!blocks || blocks.length === 0) && !attachments;
    if (requireSome && empty) throw new SlackApiError('no_text');
    if (text && text.length > MAX_TEXT) throw new SlackApiError('msg_too_long');
    return { text, blocks: blocks as unknown[] | undefined, attachments };
  }

  /** Stores a new message (chat.postMessage, or an in_channel response). */
  addMessage(channel: string, p: Obj, source: StoredMessage['source']): StoredMessage {
    const { text, blocks, attachments } = this.content(p, true);
    const threadTs = str(p.thread_ts) || undefined;
    const parent = threadTs ? this.findMessage(channel, threadTs) : undefined;
    const message: StoredMessage = {
      channel,
      ts: this.nextTs(),
      // A reply to a reply lands in the parent's thread, as in Slack.
      ...(threadTs ? { thread_ts: parent?.thread_ts ?? threadTs } : {}),
      text: text ?? '',
      blocks,
      ...(attachments ? { attachments } : {}),
      ...(p.metadata !== undefined
        ? { metadata: jsonField(p.metadata, 'invalid_metadata_format') }
        : {}),
      reply_broadcast: threadTs !== undefined && bool(p.reply_broadcast),
      ...(p.unfurl_links !== undefined ? { unfurl_links: bool(p.unfurl_links) } : {}),
      ...(p.unfurl_media !== undefined ? { unfurl_media: bool(p.unfurl_media) } : {}),
      user: this.options.botUserId,
      updates: 0,
      deleted: false,
      source,
    };
    this.messages.push(message);
    return message;
  }

  /**
   * A user id as `channel` posts in the app's direct message with that user
   * (its App Home Messages tab), answered with the DM's own id (`D...`), as
   * chat.postMessage's reference describes ("channel: ... IM channel"; passing
   * a user id opens the conversation, see docs.slack.dev/reference/methods/chat.postMessage).
   * A DM between other people is one the bot cannot see, whatever its scopes:
   * `channel_not_found` (slack-ruby/slack-ruby-client issue 227, a slash command
   * typed in such a DM; slackapi/bolt-js issue 365: "Your bot user cannot jump
   * into others' private conversations").
   */
  private postMessage(p: Obj): Obj {
    const target = this.channel(p.channel);
    if (/^[UW]/.test(target)) this.meetUser(target);
    const channel = /^[UW]/.test(target) ? directMessageChannel(target) : target;
    if (channel.startsWith('D') && !this.isOwnDirectMessage(channel)) {
      throw new SlackApiError('channel_not_found');
    }
    const m = this.addMessage(channel, p, 'api');
    return { channel: m.channel, ts: m.ts, message: this.publicMessage(m) };
  }

  /** Changes a stored message's text and blocks (blocks kept unless given). */
  replace(m: StoredMessage, p: Obj): void {
    const { text, blocks, attachments } = this.content(p, false);
    if (text !== undefined) m.text = text;
    if (blocks !== undefined) m.blocks = blocks;
    if (attachments !== undefined) m.attachments = attachments;
    m.updates += 1;
  }

  /** Changes an ephemeral's text and blocks (through the response_url of a click on it). */
  replaceEphemeral(e: StoredEphemeral, p: Obj): void {
    const { text, blocks } = this.content(p, false);
    if (text !== undefined) e.text = text;
    if (blocks !== undefined) e.blocks = blocks;
  }

  private update(p: Obj): Obj {
    const m = this.existing(p.channel, p.ts);
    if (p.text === undefined && p.blocks === undefined && p.attachments === undefined) {
      throw new SlackApiError('no_text');
    }
    this.replace(m, p);
    return { channel: m.channel, ts: m.ts, text: m.text, message: this.publicMessage(m) };
  }

  addEphemeral(
    channel: string,
    user: string,
    p: Obj,
    source: StoredEphemeral['source'],
  ): StoredEphemeral {
    const { text, blocks } = this.content(p, true);
    const threadTs = str(p.thread_ts) || undefined;
    const e: StoredEphemeral = {
      channel,
      user,
      ts: this.nextTs(),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      text: text ?? '',
      blocks,
      source,
    };
    this.ephemerals.push(e);
    return e;
  }

  /**
   * Unlike chat.postMessage with `chat:write.public`, an ephemeral needs the
   * bot in the channel: Slack answers `not_in_channel` otherwise (its error
   * table for chat.postEphemeral; slackapi/node-slack-sdk issue 977 shows it
   * in a public channel with chat:write.public granted). A command's or a
   * button's response_url has no such condition.
   */
  private postEphemeral(p: Obj): Obj {
    const channel = this.channel(p.channel);
    const user = str(p.user);
    if (!user) throw new SlackApiError('user_not_found');
    // The bot's own DM with the user is one it is in; another DM (two other people's,
    // where a slash command may come from) is a conversation it cannot see:
    // channel_not_found (slackapi/python-slack-sdk issue 734).
    if (channel.startsWith('D') && channel !== directMessageChannel(user)) {
      throw new SlackApiError('channel_not_found');
    }
    if (!channel.startsWith('D') && !this.joinedChannels.has(channel)) {
      throw new SlackApiError('not_in_channel');
    }
    return { message_ts: this.addEphemeral(channel, user, p, 'api').ts };
  }

  private modal(p: Obj): Obj {
    const view = jsonField(p.view, 'invalid_arguments');
    const problems = checkModalView(view);
    if (problems.length > 0)
      throw new SlackApiError('invalid_arguments', problemMessages(problems));
    return view as Obj;
  }

  private takeTrigger(p: Obj, view: () => Obj): { trigger: Trigger; id: string; view: Obj } {
    const id = str(p.trigger_id);
    if (!id)
      throw new SlackApiError('invalid_arguments', ['[ERROR] missing required field: trigger_id']);
    const trigger = this.triggers.get(id);
    const fresh =
      trigger && !trigger.used && this.options.now() - trigger.issuedAt <= TRIGGER_LIFETIME_MS;
    if (!trigger || !fresh) throw new SlackApiError('expired_trigger_id');
    const checked = view();
    trigger.used = true;
    return { trigger, id, view: checked };
  }

  private openView(p: Obj): StoredView {
    const { trigger, id, view } = this.takeTrigger(p, () => this.modal(p));
    return this.storeView(view, trigger.user, id, null);
  }

  /**
   * views.update: by `view_id` or `external_id` (exactly one), refused with
   * `not_found` for a view that is gone and `hash_conflict` for a stale hash
   * (docs.slack.dev/reference/methods/views.update, its error table).
   */
  private updateView(p: Obj): StoredView {
    const viewId = str(p.view_id);
    const externalId = str(p.external_id);
    if (!viewId === !externalId) {
      throw new SlackApiError('invalid_arguments', [
        '[ERROR] exactly one of view_id or external_id is required',
      ]);
    }
    const stored = viewId
      ? this.findView(viewId)
      : this.views.find((v) => v.external_id === externalId);
    if (!stored || stored.closed) throw new SlackApiError('not_found');
    const hash = str(p.hash);
    if (hash && hash !== stored.hash) throw new SlackApiError('hash_conflict');
    const view = this.modal(p);
    Object.assign(stored, this.viewContent(view, stored.external_id));
    stored.hash = this.viewHash();
    stored.errors = undefined;
    return stored;
  }

  /**
   * views.push: onto the modal the trigger's user has open, at most 3 views
   * deep ("push_limit_reached ... Currently the limit is 3", views.push's error table).
   */
  private pushView(p: Obj): StoredView {
    const { trigger, id, view } = this.takeTrigger(p, () => this.modal(p));
    const top = this.views.findLast((v) => v.user === trigger.user && !v.closed);
    if (!top) throw new SlackApiError('not_found');
    const stack = this.views.filter((v) => v.root_view_id === top.root_view_id && !v.closed);
    if (stack.length >= PUSH_LIMIT) throw new SlackApiError('push_limit_reached');
    return this.storeView(view, trigger.user, id, top);
  }

  private viewHash(): string {
    return `${Math.floor(this.options.now() / 1000)}.${randomHex(4)}`;
  }

  private viewContent(view: Obj, currentExternalId?: string) {
    const externalId = str(view.external_id) ?? '';
    if (
      externalId &&
      externalId !== currentExternalId &&
      this.views.some((v) => v.external_id === externalId)
    ) {
      throw new SlackApiError('duplicate_external_id');
    }
    return {
      callback_id: str(view.callback_id) ?? '',
      private_metadata: str(view.private_metadata) ?? '',
      external_id: externalId,
      title: view.title,
      ...(view.submit !== undefined ? { submit: view.submit } : {}),
      ...(view.close !== undefined ? { close: view.close } : {}),
      blocks: (view.blocks as unknown[]) ?? [],
    };
  }

  private storeView(
    view: Obj,
    user: string,
    triggerId: string,
    previous: StoredView | null,
  ): StoredView {
    const content = this.viewContent(view);
    this.viewCounter += 1;
    const viewId = `V${String(this.viewCounter).padStart(10, '0')}`;
    const stored: StoredView = {
      id: viewId,
      user,
      trigger_id: triggerId,
      type: 'modal',
      ...content,
      state: { values: {} },
      hash: this.viewHash(),
      root_view_id: previous?.root_view_id ?? viewId,
      previous_view_id: previous?.id ?? null,
      closed: false,
    };
    this.views.push(stored);
    return stored;
  }
}
