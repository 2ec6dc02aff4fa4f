import type { Obj } from './slack-model.js';
import {
  type BlockActionOptions,
  blockActionsPayload,
  blockSuggestionPayload,
  type OptionsRequestOptions,
  type PayloadContext,
  type SlashCommandOptions,
  signSlackRequest,
  slashCommandPayload,
  type ViewSubmissionOptions,
  viewSubmissionPayload,
} from './slack-payloads.js';
import type { EnvelopeResult, SocketModeStandIn } from './slack-socket.js';

/**
 * The stand-in acting as Slack towards the bot: signed HTTP posts to the
 * bot's request URL, or envelopes over Socket Mode.
 */

/** Slack gives an app 3 seconds to acknowledge. */
export const ACK_DEADLINE_MS = 3000;

export interface DriverResponse {
  status: number;
  /** Raw response body. */
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
  headers: Record<string, string>;
  durationMs: number;
  /** HTTP 200 within Slack's 3 seconds. */
  acknowledgedInTime: boolean;
}

export interface SentPayload {
  /** What was sent (form fields of a slash command, or the JSON payload). */
  payload: Obj;
  triggerId: string;
}

export type SlashCommandResult = SentPayload & { responseUrl: string };
export type BlockActionResult = SentPayload & { responseUrl?: string };
export type ViewSubmissionResult = SentPayload & {
  /** The bot's answer (`response_action`, `errors`...) if any, as it was sent. */
  response: Obj | undefined;
  /**
   * Why Slack refused that answer, when it did: the modal then stays open and
   * shows "We had some trouble connecting. Try again?", none of the errors.
   */
  refused: string[] | undefined;
};

export interface SignedPostOptions {
  contentType?: string;
  timestamp?: number;
  secret?: string;
}

export interface HttpDriver {
  sendSlashCommand(
    botUrl: string,
    o: SlashCommandOptions,
  ): Promise<DriverResponse & SlashCommandResult>;
  sendBlockAction(
    botUrl: string,
    o: BlockActionOptions,
  ): Promise<DriverResponse & BlockActionResult>;
  sendViewSubmission(
    botUrl: string,
    o: ViewSubmissionOptions,
  ): Promise<DriverResponse & ViewSubmissionResult>;
  /** A block_suggestion; `options` is the bot's parsed answer. */
  sendOptionsRequest(
    botUrl: string,
    o: OptionsRequestOptions,
  ): Promise<DriverResponse & { payload: Obj; options: unknown }>;
  /** Posts any body signed (or mis-signed: other secret, stale timestamp). */
  sendSigned(botUrl: string, body: string, options?: SignedPostOptions): Promise<DriverResponse>;
}

export interface SocketDriver {
  sendSlashCommand(o: SlashCommandOptions): Promise<EnvelopeResult & SlashCommandResult>;
  sendBlockAction(o: BlockActionOptions): Promise<EnvelopeResult & BlockActionResult>;
  sendViewSubmission(o: ViewSubmissionOptions): Promise<EnvelopeResult & ViewSubmissionResult>;
  sendOptionsRequest(
    o: OptionsRequestOptions,
  ): Promise<EnvelopeResult & { payload: Obj; options: unknown }>;
}

export async function postToBot(
  botUrl: string,
  body: string,
  headers: Record<string, string>,
): Promise<DriverResponse> {
  const started = performance.now();
  const response = await fetch(botUrl, { method: 'POST', headers, body });
  const text = await response.text();
  const durationMs = performance.now() - started;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return {
    status: response.status,
    body: text,
    json,
    headers: Object.fromEntries(response.headers),
    durationMs,
    acknowledgedInTime: response.status === 200 && durationMs <= ACK_DEADLINE_MS,
  };
}

function asObj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Obj)
    : undefined;
}

/** The payload of a Socket Mode ack, or undefined when it is empty. */
function ackPayload(result: EnvelopeResult): Obj | undefined {
  const payload = asObj(result.ack.payload);
  return payload && Object.keys(payload).length > 0 ? payload : undefined;
}

export function createDrivers(deps: {
  ctx: PayloadContext;
  signingSecret: string;
  socket: SocketModeStandIn;
  /** Applies a view_submission answer to the stored view; what Slack found wrong with it, if anything. */
  onViewResponse(view: Obj, response: Obj | undefined): string[] | undefined;
}): { http: HttpDriver; socket: SocketDriver } {
  const { ctx, socket } = deps;

  const signed = (botUrl: string, body: string, options: SignedPostOptions = {}) => {
    const headers = signSlackRequest(options.secret ?? deps.signingSecret, body, options.timestamp);
    if (options.contentType) headers['content-type'] = options.contentType;
    return postToBot(botUrl, body, headers);
  };
  const interaction = (botUrl: string, payload: Obj) =>
    signed(botUrl, new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  const viewOf = (payload: Obj) => asObj(payload.view) ?? {};
  /** What the tests read of every payload sent: its trigger_id and response_url. */
  const sent = (payload: Obj) => ({
    payload,
    triggerId: payload.trigger_id as string,
    responseUrl: payload.response_url as string | undefined,
  });

  const http: HttpDriver = {
    async sendSlashCommand(botUrl, o) {
      const payload = slashCommandPayload(ctx, o);
      const result = await signed(botUrl, new URLSearchParams(payload).toString());
      return { ...result, ...sent(payload), responseUrl: payload.response_url as string };
    },
    async sendBlockAction(botUrl, o) {
      const payload = blockActionsPayload(ctx, o);
      return { ...(await interaction(botUrl, payload)), ...sent(payload) };
    },
    async sendViewSubmission(botUrl, o) {
      const payload = viewSubmissionPayload(ctx, o);
      const result = await interaction(botUrl, payload);
      const response = asObj(result.json);
      const refused =
        result.status === 200 ? deps.onViewResponse(viewOf(payload), response) : undefined;
      return { ...result, ...sent(payload), response, refused };
    },
    async sendOptionsRequest(botUrl, o) {
      const payload = blockSuggestionPayload(ctx, o);
      const result = await interaction(botUrl, payload);
      return { ...result, payload, options: result.json };
    },
    sendSigned: signed,
  };

  const socketDriver: SocketDriver = {
    async sendSlashCommand(o) {
      const payload = slashCommandPayload(ctx, o);
      const result = await socket.sendEnvelope('slash_commands', payload, {
        accepts_response_payload: true,
      });
      return { ...result, ...sent(payload), responseUrl: payload.response_url as string };
    },
    async sendBlockAction(o) {
      const payload = blockActionsPayload(ctx, o);
      const result = await socket.sendEnvelope('interactive', payload, {
        accepts_response_payload: false,
      });
      return { ...result, ...sent(payload) };
    },
    async sendViewSubmission(o) {
      const payload = viewSubmissionPayload(ctx, o);
      const result = await socket.sendEnvelope('interactive', payload, {
        accepts_response_payload: true,
      });
      const response = ackPayload(result);
      const refused = deps.onViewResponse(viewOf(payload), response);
      return { ...result, ...sent(payload), response, refused };
    },
    async sendOptionsRequest(o) {
      const payload = blockSuggestionPayload(ctx, o);
      const result = await socket.sendEnvelope('interactive', payload, {
        accepts_response_payload: true,
      });
      return { ...result, payload, options: ackPayload(result) };
    },
  };

  return { http, socket: socketDriver };
}
