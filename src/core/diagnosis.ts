/** Every StopTask the bot makes starts its reason with this, so stops can be told apart. */
const STOP_REASON_PREFIX = 'review-app-bot: ';

export type StopKind =
  | 'expired'
  | 'hard-cap'
  | 'stopped-by-user'
  | 'relaunched'
  | 'mr-merged'
  | 'mr-closed'
  | 'crashed'
  | 'failed-to-start'
  | 'spot-interrupted'
  | 'stopped-outside'
  | 'lost';

export interface StopExplanation {
  kind: StopKind;
  /** One sentence for people, Slack-neutral (no markup). */
  summary: string;
  /** What usually causes it and what to do, when there is something to say. */
  hint?: string;
  /** Whether the channel should hear of it (stops nobody asked for). */
  unexpected: boolean;
}

/** How a person is named in stop reasons: Slack ids are shown as mentions by the Slack layer. */
export function actorName(id: string, source: 'slack' | 'cli'): string {
  return source === 'slack' ? `${id} via Slack` : `${id} (CLI)`;
}

export function stopReasonFor(
  kind: 'expired' | 'stopped' | 'relaunched' | 'timeout' | 'failed' | 'merged' | 'closed',
  who?: string,
): string {
  const text = {
    merged: `merge request merged${who ? ` by ${who}` : ''}`,
    closed: `merge request closed${who ? ` by ${who}` : ''}`,
    expired: 'expired at its deadline',
    stopped: `stopped by ${who ?? 'someone'}`,
    relaunched: `relaunched by ${who ?? 'someone'}`,
    timeout: 'did not start in time',
    failed: 'launch failed',
  }[kind];
  // StopTask reasons may be up to 255 characters.
  return `${STOP_REASON_PREFIX}${text}`.slice(0, 255);
}

/**
 * A stop the bot itself made, told from its StopTask reason (which always
 * starts with STOP_REASON_PREFIX); undefined for every other stop, which the
 * platform explains.
 */
export function explainOwnStop(reason: string | undefined): StopExplanation | undefined {
  if (!reason?.startsWith(STOP_REASON_PREFIX)) return undefined;
  const text = reason.slice(STOP_REASON_PREFIX.length);
  if (text.startsWith('expired')) {
    return {
      kind: 'expired',
      summary: 'The review app expired and was stopped.',
      unexpected: true,
    };
  }
  const mrEnd = /^merge request (merged|closed)(.*)$/.exec(text);
  if (mrEnd) {
    // The channel hears of it: whoever merged may not be whoever launched the app.
    return {
      kind: mrEnd[1] === 'merged' ? 'mr-merged' : 'mr-closed',
      summary: `The merge request was ${mrEnd[1]}${mrEnd[2]}, so its review app was stopped.`,
      unexpected: true,
    };
  }
  if (text.startsWith('relaunched')) {
    return { kind: 'relaunched', summary: `The review app was ${text}.`, unexpected: false };
  }
  if (text.startsWith('launch failed')) {
    return {
      kind: 'failed-to-start',
      summary: 'The launch failed and the task was stopped.',
      unexpected: true,
    };
  }
  if (text.startsWith('did not start')) {
    return {
      kind: 'failed-to-start',
      summary: 'The review app did not start in time and was stopped.',
      hint: 'The task stayed pending: check the task in the ECS console for capacity or networking problems.',
      unexpected: true,
    };
  }
  return { kind: 'stopped-by-user', summary: `The review app was ${text}.`, unexpected: false };
}

/** An app whose task ECS no longer knows: it ended over an hour ago, unseen, and how is lost. */
export const LOST_EXPLANATION: StopExplanation = {
  kind: 'lost',
  summary:
    'The bot lost sight of this review app: ECS no longer knows its task, which ended more than an hour ago while the bot could not watch it. Nothing is left running.',
  unexpected: false,
};
