import type { StopExplanation, StopKind } from './diagnosis.js';
import { utcTime } from './mr-note.js';

/** How long an ended app's name answers with its page, unless its MR is merged or closed first. */
export const ENDED_PAGE_MS = 24 * 60 * 60_000;

/** A few words for why it ended: the page is plain text for whoever opens an old link. */
const WHY: Record<StopKind, string> = {
  expired: 'expired',
  'hard-cap': 'reached its maximum lifetime',
  'stopped-by-user': 'stopped',
  relaunched: 'relaunched',
  'mr-merged': 'the merge request was merged',
  'mr-closed': 'the merge request was closed',
  crashed: 'the app crashed',
  'failed-to-start': 'it failed to start',
  'spot-interrupted': 'AWS reclaimed its Spot capacity',
  'stopped-outside': 'stopped outside the bot',
  lost: 'it ended',
};

/**
 * "The review app for !42 ended at 14:30 UTC: expired. Relaunch it from Slack."; with
 * several projects on the load balancer, "… for acme/shop!42 …".
 */
export function endedPageText(
  mr: number,
  explanation: StopExplanation,
  endedAt: number,
  project?: string,
): string {
  const ended = explanation.kind === 'mr-merged' || explanation.kind === 'mr-closed';
  return `The review app for ${project ?? ''}!${mr} ended at ${utcTime(endedAt)}: ${WHY[explanation.kind]}.${ended ? '' : ' Relaunch it from Slack.'}`;
}
