import type {
  AllMiddlewareArgs,
  BlockButtonAction,
  RespondFn,
  SlackActionMiddlewareArgs,
  webApi,
} from '@slack/bolt';
import { refusalOf } from '../access.js';
import { readButtonValue } from '../ids.js';
import { errorMessage, refusedMessage } from '../messages/notices.js';
import { type PrivateAnswer, privateAnswer } from '../private-answer.js';
import { projectOfButton } from '../routing.js';
import type { SlackProject, SlackServices } from '../services.js';

export interface ButtonContext {
  mr: number;
  /** The project the button's MR belongs to, one the bot serves. */
  project: SlackProject;
  user: string;
  channel: string;
  /** The thread the button was clicked in (or the message itself, when it is a parent). */
  thread: string | undefined;
  client: webApi.WebClient;
  /** A private answer to the person who clicked. */
  answer: PrivateAnswer;
  /**
   * Replace the message clicked, ephemeral ones included (through the click's
   * response_url); a private answer instead when the click came without one.
   */
  replaceClicked: PrivateAnswer;
}

/**
 * What every button does first: acknowledge, read the MR and its project from the
 * value (never trusted beyond being a number and a project the bot serves), and
 * check who clicked where, by that project's rules.
 */
export async function buttonAction(
  services: SlackServices,
  args: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs,
  work: (context: ButtonContext) => Promise<void>,
): Promise<void> {
  const { ack, body, action, client } = args;
  await ack();
  const user = body.user.id;
  const channel = body.channel?.id ?? body.container?.channel_id;
  // Bolt gives `respond` only when the click came with a response_url.
  const answer = privateAnswer({
    client,
    user,
    logger: services.logger,
    respond: args.respond as RespondFn | undefined,
    thread: body.message?.thread_ts,
  });
  const target = readButtonValue(action.value);
  const project = target && channel ? await projectOfButton(services, target, channel) : undefined;
  if (!target || !channel || !project) {
    await answer(errorMessage('That button no longer works. Use /review-app instead.'));
    return;
  }
  const refusal = refusalOf(project.access, user, channel);
  if (refusal) {
    services.logger.warn('refused a button', { user, channel, action: action.action_id });
    await answer(refusedMessage(refusal, project.access));
    return;
  }
  const { mr } = target;
  // A private answer (an ephemeral) is no thread to post in, whatever Slack sends of it:
  // a launch from it starts its own thread, and an edit of its ts finds no message.
  const ephemeral = (body.container as { is_ephemeral?: boolean } | undefined)?.is_ephemeral;
  const thread = ephemeral ? undefined : (body.message?.thread_ts ?? body.message?.ts);
  const respond = args.respond as RespondFn | undefined;
  const replaceClicked: PrivateAnswer = async (message) => {
    if (respond) {
      try {
        await respond({ replace_original: true, ...message });
        return;
      } catch (error) {
        services.logger.warn('could not replace the message clicked', { user, error });
      }
    }
    await answer(message);
  };
  await work({ mr, project, user, channel, thread, client, answer, replaceClicked });
}
