import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { isReviewAppError } from '../../core/errors.js';
import type { AcknowledgedFirst } from '../acknowledged-first.js';
import { launchInSlack } from '../launch-flow.js';
import { errorMessage, errorText, refusedMessage } from '../messages/notices.js';
import { privateAnswer } from '../private-answer.js';
import { allowedOf } from '../routing.js';
import type { SlackServices } from '../services.js';
import { launchModal, modalChoices } from '../views/launch-modal.js';
import { findVerb, routeTyped, usageMessage } from './verbs.js';

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** `/review-app [42 | !42 | URL | <verb> ...]`: acknowledged at once, worked on after. */
export async function handleReviewAppCommand(
  services: SlackServices,
  args: Args,
  acknowledged?: AcknowledgedFirst,
): Promise<void> {
  const { command, ack, respond, client, logger } = args;
  const text = command.text.trim();
  const user = command.user_id;
  const channel = command.channel_id;
  const answer = privateAnswer({ client, user, logger: services.logger, respond });
  await ack();

  const [word = '', ...rest] = text.split(/\s+/).filter(Boolean);
  const verb = findVerb(word);

  if (text === '') {
    // The projects this person may launch in from here, the channel's first.
    const { allowed, refused } = allowedOf(
      services.fleet.catalogue.ordered(channel),
      user,
      channel,
    );
    if (refused) {
      services.logger.warn('refused a command', { user, channel, verb: 'launch' });
      return answer(refusedMessage(refused.refusal, refused.project.access));
    }
    // The trigger_id lives three seconds: open the modal before anything slow.
    try {
      await client.views.open({
        trigger_id: command.trigger_id,
        view: launchModal(channel, modalChoices(services, allowed)),
      });
    } catch (error) {
      logger.warn(`could not open the modal: ${(error as Error).message}`);
      await answer(
        errorMessage(
          'The picker could not be opened in time. Try again, or give the merge request: /review-app 42',
        ),
      );
    }
    return;
  }

  // A burst of commands is acknowledged before their work (GitLab, ECS) begins.
  await acknowledged?.settled();
  const context = { services, client, user, channel, answer };
  try {
    if (verb) return await verb.run(context, rest);
    if (rest.length > 0)
      return answer(usageMessage(`I did not understand "${text.slice(0, 80)}".`));
    const target = await routeTyped(context, word, 'launch');
    if (!target) return;
    await launchInSlack(services, {
      project: target.project,
      client,
      channel,
      user,
      mr: target.mr,
      replace: false,
      answer,
    });
  } catch (error) {
    if (isReviewAppError(error, 'BAD_MR_REFERENCE')) return answer(usageMessage(error.message));
    if (isReviewAppError(error)) return answer(errorMessage(errorText(error)));
    services.logger.error('command failed', { error });
    return answer(errorMessage('Something went wrong on our side; the error was logged.'));
  }
}
