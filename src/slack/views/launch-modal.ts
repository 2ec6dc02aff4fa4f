import type {
  AllMiddlewareArgs,
  BlockSuggestion,
  SlackOptionsMiddlewareArgs,
  SlackViewMiddlewareArgs,
  types,
  ViewSubmitAction,
} from '@slack/bolt';
import { isReviewAppError } from '../../core/errors.js';
import { isAllowed, refusalOf } from '../access.js';
import { ACTIONS, BLOCKS, VIEWS } from '../ids.js';
import { launchInSlack } from '../launch-flow.js';
import { truncate } from '../messages/format.js';
import { privateAnswer } from '../private-answer.js';
import type { SlackServices } from '../services.js';

/** The picker of open MRs; options come from GitLab as the user types. */
export function launchModal(channel: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: VIEWS.launch,
    private_metadata: JSON.stringify({ channel }),
    title: { type: 'plain_text', text: 'Launch a review app' },
    submit: { type: 'plain_text', text: 'Launch' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: BLOCKS.pickMr,
        label: { type: 'plain_text', text: 'Merge request' },
        hint: { type: 'plain_text', text: 'Type a number or words of the title.' },
        element: {
          type: 'external_select',
          action_id: ACTIONS.pickMr,
          placeholder: { type: 'plain_text', text: 'Search open merge requests' },
          min_query_length: 0,
        },
      },
    ],
  };
}

const OPTIONS_DEADLINE_MS = 2_500;
/** A submission is acknowledged within Slack's 3 seconds whatever GitLab does. */
const SUBMIT_DEADLINE_MS = 2_000;
const MODAL_ERROR_LENGTH = 200;

/** `work`, or a rejection once `ms` of real time have passed. */
async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The channel the modal was opened from, kept in its private metadata. */
function channelOf(privateMetadata: string | undefined): string | undefined {
  try {
    return (JSON.parse(privateMetadata ?? '') as { channel?: string }).channel;
  } catch {
    return undefined;
  }
}

export async function handleMergeRequestOptions(
  services: SlackServices,
  args: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs,
): Promise<void> {
  const { ack, payload, body } = args;
  if (!isAllowed(services.access, body.user.id, channelOf(body.view?.private_metadata))) {
    services.logger.warn('refused the picker', { user: body.user.id });
    await ack({ options: [] });
    return;
  }
  try {
    // Slack waits three seconds (wall-clock) for options: a slow GitLab gets an empty list.
    const found = await withinDeadline(
      services.engine.searchOpenMergeRequests((payload as BlockSuggestion).value ?? '', 100),
      OPTIONS_DEADLINE_MS,
    );
    await ack({
      options: found.map((mr) => ({
        // plain_text is shown as typed: no mrkdwn to escape, only the 75-character limit.
        text: { type: 'plain_text' as const, text: truncate(`!${mr.iid} ${mr.title}`, 75) },
        value: String(mr.iid),
      })),
    });
  } catch (error) {
    services.logger.warn('could not load merge requests for the picker', { error });
    await ack({ options: [] });
  }
}

export async function handleLaunchSubmission(
  services: SlackServices,
  args: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs,
): Promise<void> {
  const { ack, view, body, client } = args;
  const selected = view.state.values[BLOCKS.pickMr]?.[ACTIONS.pickMr]?.selected_option?.value;
  const mr = Number(selected);
  if (!Number.isSafeInteger(mr) || mr < 1) {
    await ack({ response_action: 'errors', errors: { [BLOCKS.pickMr]: 'Pick a merge request.' } });
    return;
  }
  const channel = channelOf(view.private_metadata);
  const user = body.user.id;
  const refused = channel ? refusalOf(services.access, user, channel) : 'channel';
  if (!channel || refused) {
    services.logger.warn('refused a modal submission', { user, channel });
    // A modal's error is plain text: the allowed channels cannot be shown as links here.
    const why =
      refused === 'user'
        ? 'You are not allowed to launch review apps.'
        : 'Review apps cannot be launched in the channel this was opened from.';
    await ack({ response_action: 'errors', errors: { [BLOCKS.pickMr]: why } });
    return;
  }
  // A refusal known within Slack's 3 seconds is shown in the modal, which stays open.
  // The launch then goes on from this same precheck, even one still running.
  const checked = services.engine.precheck({ mr, requester: user, replace: false });
  const refusal = await withinDeadline(checked, SUBMIT_DEADLINE_MS).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (isReviewAppError(refusal)) {
    await ack({
      response_action: 'errors',
      errors: { [BLOCKS.pickMr]: truncate(refusal.message, MODAL_ERROR_LENGTH) },
    });
    return;
  }
  await ack();
  // A modal has no response_url, and an ephemeral needs the bot in the channel:
  // anything said later goes to the person as a direct message from the app.
  const answer = privateAnswer({ client, user, logger: services.logger });
  await launchInSlack(services, { client, channel, user, mr, replace: false, answer, checked });
}
