import {
  type HttpReply,
  json,
  type LoopbackServer,
  type RecordedRequest,
  startLoopbackServer,
} from './http.js';
import { directMessageChannel, SlackWorkspace } from './slack-api.js';
import { checkViewErrors, problemMessages } from './slack-blocks.js';
import { createDrivers, type HttpDriver, type SocketDriver } from './slack-driver.js';
import {
  bool,
  decodeJsonFields,
  type Obj,
  parseApiParams,
  randomHex,
  SlackApiError,
  type StoredEphemeral,
  type StoredMessage,
  type StoredView,
  str,
} from './slack-model.js';
import {
  DEFAULT_CHANNEL,
  DEFAULT_USER,
  type PayloadContext,
  type ResponseTarget,
} from './slack-payloads.js';
import { createSocketModeServer, type SocketModeStandIn } from './slack-socket.js';

/**
 * A loopback stand-in for Slack. The real Bolt app and its WebClient talk to
 * it unchanged (`clientOptions: { slackApiUrl: standIn.apiUrl }`), and it
 * plays Slack towards the bot: signed slash commands and interactions over
 * HTTP, or envelopes over Socket Mode.
 */

export {
  checkMessageBlocks,
  checkModalView,
  checkViewErrors,
  problemMessages,
} from './slack-blocks.js';
export type {
  DriverResponse,
  HttpDriver,
  SignedPostOptions,
  SocketDriver,
} from './slack-driver.js';
export type { StoredEphemeral, StoredMessage, StoredView } from './slack-model.js';
export type {
  ActionOptions,
  BlockActionOptions,
  OptionsRequestOptions,
  SlashCommandOptions,
  ViewSubmissionOptions,
} from './slack-payloads.js';
export { signSlackRequest } from './slack-payloads.js';
export type { EnvelopeResult, EnvelopeType, SocketModeStandIn } from './slack-socket.js';

export interface SlackStandInOptions {
  /** Clock for trigger expiry, response_url lifetime and message timestamps (ms). */
  now?: () => number;
  /** Channels that answer `channel_not_found`. */
  unknownChannels?: string[];
  /**
   * Channels the bot was invited to (default: `C_REVIEWS`). chat.postEphemeral
   * answers `not_in_channel` anywhere else.
   */
  joinedChannels?: string[];
  /** User names by id (default: `U_ALICE` → `alice`). */
  users?: Record<string, string>;
  /** Channel names by id (default: `C_REVIEWS` → `reviews`). */
  channels?: Record<string, string>;
}

/** A post the bot made to a response_url that Slack accepted (a refused one is answered 400 and shown nowhere). */
export interface RecordedResponse {
  url: string;
  response_type?: string;
  text?: string;
  blocks?: unknown;
  replace_original?: boolean;
  delete_original?: boolean;
  thread_ts?: string;
  /** The whole parsed body. */
  body: Obj;
}

export interface SlackStandIn extends HttpDriver, AsyncDisposable {
  readonly url: string;
  /** For `clientOptions.slackApiUrl` / `SLACK_API_URL`: `${url}/api/`. */
  readonly apiUrl: string;
  readonly requests: RecordedRequest[];
  readonly botToken: string;
  readonly appToken: string;
  readonly signingSecret: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly appId: string;
  fault: LoopbackServer['fault'];
  /** Holds every Web API request, unanswered, until the returned function is called. */
  hold: LoopbackServer['hold'];
  /** Messages posted (threads included), in order, with their current state. */
  messages(channel?: string): StoredMessage[];
  /** Replies in the thread of `ts`. */
  thread(channel: string, ts: string): StoredMessage[];
  ephemerals(userOrChannel?: string): StoredEphemeral[];
  views(): StoredView[];
  responses(): RecordedResponse[];
  /** Parsed parameters of every call to `method` (faulted ones included). */
  calls(method: string): Obj[];
  /** A user deletes a message. */
  deleteMessage(channel: string, ts: string): void;
  /** The user closes a modal (Cancel or ×); Slack tells the app only with notify_on_close. */
  closeView(id: string): void;
  /** The bot is invited to `channel` (true) or removed from it (false). */
  setMember(channel: string, member: boolean): void;
  /** Messages the bot sent `user` directly (chat.postMessage to the user's id). */
  directMessages(user: string): StoredMessage[];
  /** A trigger_id as an interaction would carry it (valid 3 s on the clock, once). */
  issueTriggerId(user?: string): string;
  /** The next `times` calls of `method` answer HTTP 429 with `Retry-After`. */
  rateLimit(method: string, retryAfterSeconds: number, times?: number): void;
  /** The next `times` calls of `method` answer `{ok:false, error}`. */
  failMethod(method: string, error: string, times?: number): void;
  /** Socket Mode: Slack's end of the connection, and the driver over it. */
  readonly socket: SocketModeStandIn & SocketDriver;
  close(): Promise<void>;
}

const METHODS = new Set([
  'auth.test',
  'chat.postMessage',
  'chat.update',
  'chat.postEphemeral',
  'chat.getPermalink',
  'views.open',
  'views.update',
  'views.push',
  'apps.connections.open',
]);

const RESPONSE_URL_USES = 5;
const RESPONSE_URL_LIFETIME_MS = 30 * 60 * 1000;

function derivedName(id: string): string {
  return id.replace(/^[UC]_/, '').toLowerCase();
}

function bearer(request: RecordedRequest): string | undefined {
  const header = request.headers.authorization;
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match?.[1];
}

/** The one workspace and app the stand-in plays: tests read them from the stand-in. */
const botToken = 'xoxb-test';
const appToken = 'xapp-test';
const signingSecret = 'test-signing-secret';
const teamId = 'T0STANDIN';
const teamDomain = 'stand-in';
const botUserId = 'U0REVIEWBOT';
const botId = 'B0REVIEWBOT';
const appId = 'A0REVIEWAPP';

export async function startSlackStandIn(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const now = options.now ?? (() => Date.now());
  const userName = (id: string) => options.users?.[id] ?? derivedName(id);
  const channelName = (id: string) => options.channels?.[id] ?? derivedName(id);

  let server: LoopbackServer | undefined;
  const baseUrl = () => server?.url ?? 'http://127.0.0.1:0';
  const sockets = createSocketModeServer({
    appId,
    baseUrl,
    record: (request) => server?.requests.push(request),
  });
  const workspace = new SlackWorkspace({
    teamId,
    teamDomain,
    botUserId,
    botId,
    appId,
    now,
    unknownChannels: options.unknownChannels ?? [],
    joinedChannels: options.joinedChannels ?? [DEFAULT_CHANNEL],
    knownUsers: [DEFAULT_USER, ...Object.keys(options.users ?? {})],
    connectUrl: () => sockets.issueUrl(),
  });

  const responseUrls = new Map<
    string,
    { target: ResponseTarget; uses: number; issuedAt: number }
  >();
  const responses: RecordedResponse[] = [];

  function handleApi(request: RecordedRequest): HttpReply {
    const method = request.operation;
    if (!METHODS.has(method)) return json(200, { ok: false, error: 'unknown_method' });
    let params: Obj;
    try {
      params = parseApiParams(request);
    } catch {
      return json(200, { ok: false, error: 'invalid_json' });
    }
    const token = bearer(request) ?? str(params.token);
    const wanted = method === 'apps.connections.open' ? appToken : botToken;
    const other = method === 'apps.connections.open' ? botToken : appToken;
    if (!token) return json(200, { ok: false, error: 'not_authed' });
    if (token === other) return json(200, { ok: false, error: 'not_allowed_token_type' });
    if (token !== wanted) return json(200, { ok: false, error: 'invalid_auth' });
    try {
      return json(200, { ok: true, ...workspace.call(method, params) });
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      const metadata =
        error.messages.length > 0 ? { response_metadata: { messages: error.messages } } : {};
      return json(200, { ok: false, error: error.code, ...metadata });
    }
  }

  function handleResponse(request: RecordedRequest): HttpReply {
    const id = request.path.slice('/response/'.length);
    const entry = responseUrls.get(id);
    if (!entry || now() - entry.issuedAt > RESPONSE_URL_LIFETIME_MS) {
      return json(404, { ok: false, error: 'expired_url' });
    }
    if (entry.uses >= RESPONSE_URL_USES) return json(404, { ok: false, error: 'used_url' });
    entry.uses += 1;
    let body: Obj;
    try {
      const params = parseApiParams(request);
      body = typeof params.payload === 'string' ? (JSON.parse(params.payload) as Obj) : params;
    } catch {
      return json(400, { ok: false, error: 'invalid_payload' });
    }
    const { target } = entry;
    const original = target.message_ts
      ? workspace.findMessage(target.channel, target.message_ts)
      : undefined;
    // A click's response_url "can also be used to update the original interactive
    // message, regardless of whether it was an ephemeral message or not"
    // (docs.slack.dev/messaging/modifying-messages): the ephemeral clicked is replaced.
    const ephemeral =
      !original && target.message_ts
        ? workspace.ephemerals.find(
            (e) =>
              e.channel === target.channel && e.user === target.user && e.ts === target.message_ts,
          )
        : undefined;
    try {
      if (bool(body.delete_original)) {
        if (original) original.deleted = true;
        if (ephemeral) workspace.ephemerals.splice(workspace.ephemerals.indexOf(ephemeral), 1);
      } else if (bool(body.replace_original) && original && !original.deleted) {
        workspace.replace(original, body);
      } else if (bool(body.replace_original) && ephemeral) {
        workspace.replaceEphemeral(ephemeral, body);
      } else if (body.response_type === 'in_channel') {
        workspace.addMessage(
          target.channel,
          { thread_ts: target.thread_ts, ...body },
          'response_url',
        );
      } else {
        workspace.addEphemeral(
          target.channel,
          target.user,
          { thread_ts: target.thread_ts, ...body },
          'response_url',
        );
      }
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      // Refused before anything is shown, as Slack's hooks refuse a payload:
      // HTTP 400 with the code (sourcegraph issue 49979 and java-slack-sdk issue 1017:
      // "400 Bad Request" with "invalid_blocks"; getsentry/sentry pull 7955 reads a
      // response_url's answer as JSON with `ok` and `error`). Nobody sees it, so it
      // is not among responses().
      return json(400, { ok: false, error: error.code });
    }
    responses.push({
      url: `${baseUrl()}${request.path}`,
      ...(body.response_type !== undefined ? { response_type: str(body.response_type) } : {}),
      ...(body.text !== undefined ? { text: str(body.text) } : {}),
      ...(body.blocks !== undefined ? { blocks: body.blocks } : {}),
      ...(body.replace_original !== undefined
        ? { replace_original: bool(body.replace_original) }
        : {}),
      ...(body.delete_original !== undefined
        ? { delete_original: bool(body.delete_original) }
        : {}),
      ...(body.thread_ts !== undefined ? { thread_ts: str(body.thread_ts) } : {}),
      body,
    });
    return json(200, { ok: true });
  }

  server = await startLoopbackServer({
    identify: (request) => {
      if (request.path.startsWith('/api/')) return request.path.slice('/api/'.length);
      if (request.path.startsWith('/response/')) return 'response_url';
      return `${request.method} ${request.path}`;
    },
    handle: (request) => {
      if (request.operation === 'response_url') return handleResponse(request);
      if (request.path.startsWith('/api/')) return handleApi(request);
      return json(404, { ok: false, error: 'not_found' });
    },
    onServer: (httpServer) => sockets.attach(httpServer),
  });
  const loopback = server;

  const ctx: PayloadContext = {
    teamId,
    teamDomain,
    appId,
    botUserId,
    verificationToken: 'stand-in-verification-token',
    now,
    userName: (id) => {
      workspace.meetUser(id);
      return userName(id);
    },
    channelName,
    issueTrigger: (user) => workspace.issueTrigger(user),
    issueResponseUrl: (target) => {
      const id = `${responseUrls.size + 1}-${randomHex(8)}`;
      responseUrls.set(id, { target, uses: 0, issuedAt: now() });
      return `${loopback.url}/response/${id}`;
    },
    findMessage: (channel, ts) => workspace.findMessage(channel, ts),
    findView: (id) => workspace.findView(id),
    publicMessage: (m) => workspace.publicMessage(m),
    publicView: (v) => workspace.publicView(v),
  };

  function onViewResponse(view: Obj, response: Obj | undefined): string[] | undefined {
    const stored = typeof view.id === 'string' ? workspace.findView(view.id) : undefined;
    if (response?.response_action === 'errors') {
      // A refused answer leaves the modal open with Slack's own complaint and none of the errors.
      const problems = checkViewErrors(view, response.errors);
      if (problems.length > 0) return problemMessages(problems);
      if (stored) stored.errors = response.errors as Record<string, string>;
      return undefined;
    }
    // Nothing (or anything else the stand-in does not play) and Slack closes the modal.
    if (stored) stored.closed = true;
    return undefined;
  }

  const drivers = createDrivers({ ctx, signingSecret, socket: sockets.socket, onViewResponse });
  /** Copies, so that a test holds what it saw, not the stand-in's live state. */
  const messagesWhere = (keep: (m: StoredMessage) => boolean) =>
    workspace.messages.filter(keep).map((m) => ({ ...m }));
  const close = async () => {
    await sockets.close();
    await loopback.close();
  };

  return {
    ...drivers.http,
    url: loopback.url,
    apiUrl: `${loopback.url}/api/`,
    requests: loopback.requests,
    botToken,
    appToken,
    signingSecret,
    teamId,
    botUserId,
    appId,
    fault: (rule) => loopback.fault(rule),
    hold: () => loopback.hold(),
    messages: (channel) => messagesWhere((m) => channel === undefined || m.channel === channel),
    thread: (channel, ts) =>
      messagesWhere((m) => m.channel === channel && m.thread_ts === ts && m.ts !== ts),
    ephemerals: (who) =>
      workspace.ephemerals
        .filter((e) => who === undefined || e.user === who || e.channel === who)
        .map((e) => ({ ...e })),
    views: () => workspace.views.map((v) => ({ ...v })),
    responses: () => [...responses],
    calls: (method) =>
      loopback.requests
        .filter((r) => r.operation === method)
        .map((r) => decodeJsonFields(parseApiParams(r))),
    deleteMessage: (channel, ts) => {
      const m = workspace.findMessage(channel, ts);
      if (!m) throw new Error(`No message ${ts} in ${channel}`);
      m.deleted = true;
    },
    closeView: (id) => {
      const view = workspace.findView(id);
      if (view) view.closed = true;
    },
    setMember: (channel, member) => {
      if (member) workspace.joinedChannels.add(channel);
      else workspace.joinedChannels.delete(channel);
    },
    directMessages: (user) => messagesWhere((m) => m.channel === directMessageChannel(user)),
    issueTriggerId: (user = DEFAULT_USER) => workspace.issueTrigger(user),
    rateLimit: (method, retryAfterSeconds, times = 1) =>
      loopback.fault({
        match: method,
        times,
        reply: json(
          429,
          { ok: false, error: 'ratelimited' },
          { 'Retry-After': String(retryAfterSeconds) },
        ),
      }),
    failMethod: (method, error, times = 1) =>
      loopback.fault({ match: method, times, reply: json(200, { ok: false, error }) }),
    socket: Object.assign(sockets.socket, drivers.socket),
    close,
    [Symbol.asyncDispose]: close,
  };
}
