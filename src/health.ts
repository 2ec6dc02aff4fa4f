/**
 * What /healthz answers. A container health check (ECS, Docker) replaces the
 * bot when it says 503, so it says so only when the bot cannot do its job:
 * Slack cannot reach it, or it has lost sight of the review apps.
 */
export interface HealthReport {
  ok: boolean;
  /** Why not, in words an operator can act on. */
  problems: string[];
}

/** Rounds in a row that must fail before the bot calls itself unhealthy: one blip is not an outage. */
const FAILED_ROUNDS_LIMIT = 3;

export function healthReport(input: {
  /** Socket Mode only: whether the WebSocket to Slack is open. */
  slackConnected?: boolean | undefined;
  watch?: { failedRounds: number; lastFailure?: string } | undefined;
}): HealthReport {
  const problems: string[] = [];
  if (input.slackConnected === false) {
    problems.push(
      'The Socket Mode connection to Slack is down; commands and buttons cannot arrive.',
    );
  }
  const watch = input.watch;
  if (watch && watch.failedRounds >= FAILED_ROUNDS_LIMIT) {
    problems.push(
      `The last ${watch.failedRounds} watch rounds failed, so deadlines are not being kept: ${watch.lastFailure ?? 'unknown error'}`,
    );
  }
  return { ok: problems.length === 0, problems };
}
