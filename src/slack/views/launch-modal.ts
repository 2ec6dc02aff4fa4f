import type {
  AllMiddlewareArgs,
  BlockStaticSelectAction,
  BlockSuggestion,
  SlackActionMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackViewMiddlewareArgs,
  types,
  ViewSubmitAction,
} from '@slack/bolt';
import { isReviewAppError } from '../../core/errors.js';
import { type Refusal, refusalOf } from '../access.js';
import { ACTIONS, BLOCKS, digest, VIEWS } from '../ids.js';
import { launchInSlack } from '../launch-flow.js';
import { truncate } from '../messages/format.js';
import { privateAnswer } from '../private-answer.js';
import { allowedOf } from '../routing.js';
import type { SlackProject, SlackServices } from '../services.js';

/** A project the modal offers: its path (the option's value) and how people name it. */
export interface ModalChoice {
  path: string;
  label: string;
}

/** What the modal remembers: where it was opened, and the project chosen. */
interface ModalState {
  channel?: string;
  project?: string;
}

/** The projects a modal offers, as `modalChoices` makes them from those the person may use. */
export function modalChoices(
  services: SlackServices,
  projects: readonly SlackProject[],
): ModalChoice[] {
  return services.fleet.projects.length > 1
    ? projects.map((project) => ({
        path: project.path,
        label: services.fleet.catalogue.nameOf(project),
      }))
    : [];
}

/** A static select holds at most 100 options (Block Kit's limit), each value 150 characters. */
const PROJECTS_OFFERED = 100;

/**
 * The picker of open MRs; options come from GitLab as the user types. With several
 * projects, a project choice first (the channel's first): changing it makes the modal
 * again, with a new picker for that project's MRs (a new block id, so that an MR of the
 * project left behind is not kept).
 */
export function launchModal(
  channel: string,
  choices: ModalChoice[] = [],
  chosen = choices[0]?.path,
): types.ModalView {
  const offered = choices.filter((choice) => choice.path.length <= 150).slice(0, PROJECTS_OFFERED);
  const current = offered.find((choice) => choice.path === chosen) ?? offered[0];
  const option = (choice: ModalChoice) => ({
    text: { type: 'plain_text' as const, text: truncate(choice.path, 75) },
    value: choice.path,
  });
  const state: ModalState = { channel, ...(current ? { project: current.path } : {}) };
  return {
    type: 'modal',
    callback_id: VIEWS.launch,
    private_metadata: JSON.stringify(state),
    title: { type: 'plain_text', text: 'Launch a review app' },
    submit: { type: 'plain_text', text: 'Launch' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      ...(current
        ? [
            {
              type: 'section' as const,
              block_id: BLOCKS.pickProject,
              text: { type: 'mrkdwn' as const, text: '*Project*' },
              accessory: {
                type: 'static_select' as const,
                action_id: ACTIONS.pickProject,
                options: offered.map(option),
                initial_option: option(current),
              },
            },
          ]
        : []),
      {
        type: 'input',
        block_id: mrBlockId(current?.path),
        label: { type: 'plain_text', text: 'Merge request' },
        hint: {
          type: 'plain_text',
          text: current
            ? truncate(
                `Open merge requests of ${current.path}: type a number or words of the title.`,
                150,
              )
            : 'Type a number or words of the title.',
        },
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

/** The MR picker's block: one per project, so that a change of project starts it empty. */
function mrBlockId(project: string | undefined): string {
  return project === undefined ? BLOCKS.pickMr : `${BLOCKS.pickMr}:${digest(project)}`;
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

/** The channel the modal was opened from and its project, kept in its private metadata. */
function stateOf(privateMetadata: string | undefined): ModalState {
  try {
    const parsed = JSON.parse(privateMetadata ?? '') as ModalState;
    return {
      ...(typeof parsed.channel === 'string' ? { channel: parsed.channel } : {}),
      ...(typeof parsed.project === 'string' ? { project: parsed.project } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * The project a modal is about: the one it names, if the bot serves it and this person
 * may act on it from the modal's channel; the only one with one project.
 */
function projectOfModal(
  services: SlackServices,
  state: ModalState,
  user: string,
): { project: SlackProject; refused?: undefined } | { refused: Refusal; project?: SlackProject } {
  const { fleet } = services;
  const project =
    fleet.only ?? (state.project !== undefined ? fleet.catalogue.find(state.project) : undefined);
  if (!project || !state.channel) return { refused: 'channel', ...(project ? { project } : {}) };
  const refused = refusalOf(project.access, user, state.channel);
  return refused ? { refused, project } : { project };
}

export async function handleMergeRequestOptions(
  services: SlackServices,
  args: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs,
): Promise<void> {
  const { ack, payload, body } = args;
  const chosen = projectOfModal(services, stateOf(body.view?.private_metadata), body.user.id);
  if (chosen.refused) {
    services.logger.warn('refused the picker', { user: body.user.id });
    await ack({ options: [] });
    return;
  }
  try {
    // Slack waits three seconds (wall-clock) for options: a slow GitLab gets an empty list.
    const found = await withinDeadline(
      chosen.project.engine.searchOpenMergeRequests((payload as BlockSuggestion).value ?? '', 100),
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

/** Another project chosen in the modal: the modal again, for that project's MRs. */
export async function handleProjectChoice(
  services: SlackServices,
  args: SlackActionMiddlewareArgs<BlockStaticSelectAction> & AllMiddlewareArgs,
): Promise<void> {
  const { ack, body, action, client } = args;
  await ack();
  const view = body.view;
  const state = stateOf(view?.private_metadata);
  if (!view || !state.channel) return;
  const { allowed } = allowedOf(
    services.fleet.catalogue.ordered(state.channel),
    body.user.id,
    state.channel,
  );
  const choices = modalChoices(services, allowed);
  try {
    await client.views.update({
      view_id: view.id,
      // Only over the view as the person saw it: a later edit is not undone.
      hash: view.hash,
      view: launchModal(state.channel, choices, action.selected_option.value),
    });
  } catch (error) {
    services.logger.warn('could not show the chosen project in the modal', { error });
  }
}

export async function handleLaunchSubmission(
  services: SlackServices,
  args: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs,
): Promise<void> {
  const { ack, view, body, client } = args;
  // The picker's block is the one of the chosen project (see mrBlockId).
  const [block, picked] =
    Object.entries(view.state.values).find(([id]) => id.startsWith(BLOCKS.pickMr)) ?? [];
  const blockId = block ?? BLOCKS.pickMr;
  const mr = Number(picked?.[ACTIONS.pickMr]?.selected_option?.value);
  if (!Number.isSafeInteger(mr) || mr < 1) {
    await ack({ response_action: 'errors', errors: { [blockId]: 'Pick a merge request.' } });
    return;
  }
  const state = stateOf(view.private_metadata);
  const { channel } = state;
  const user = body.user.id;
  const chosen = projectOfModal(services, state, user);
  if (!channel || chosen.refused) {
    services.logger.warn('refused a modal submission', { user, channel });
    // A modal's error is plain text: the allowed channels cannot be shown as links here.
    const why =
      chosen.refused === 'user'
        ? 'You are not allowed to launch review apps.'
        : chosen.project
          ? 'Review apps cannot be launched in the channel this was opened from.'
          : 'This bot no longer serves that project. Open the picker again.';
    await ack({ response_action: 'errors', errors: { [blockId]: why } });
    return;
  }
  const { project } = chosen;
  // A refusal known within Slack's 3 seconds is shown in the modal, which stays open.
  // The launch then goes on from this same precheck, even one still running.
  const checked = project.engine.precheck({ mr, requester: user, replace: false });
  const refusal = await withinDeadline(checked, SUBMIT_DEADLINE_MS).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (isReviewAppError(refusal)) {
    await ack({
      response_action: 'errors',
      errors: { [blockId]: truncate(refusal.message, MODAL_ERROR_LENGTH) },
    });
    return;
  }
  await ack();
  // A modal has no response_url, and an ephemeral needs the bot in the channel:
  // anything said later goes to the person as a direct message from the app.
  const answer = privateAnswer({ client, user, logger: services.logger });
  await launchInSlack(services, {
    project,
    client,
    channel,
    user,
    mr,
    replace: false,
    answer,
    checked,
  });
}
