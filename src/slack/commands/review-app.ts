import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { isReviewAppError } from '../../core/errors.js';
import { refusalOf } from '../access.js';
import type { AcknowledgedFirst } from '../acknowledged-first.js';
import { launchInSlack } from '../launch-flow.js';
import { errorMessage, errorText, refusedMessage } from '../messages/notices.js';
import { privateAnswer } from '../private-answer.js';
import type { SlackServices } from '../services.js';
import { launchModal } from '../views/launch-modal.js';
import { findVerb, usageMessage } from './verbs.js';

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
  const restricted = verb?.restricted ?? true;
  const refusal = restricted ? refusalOf(services.access, user, channel) : undefined;
  if (refusal) {
    services.logger.warn('refused a command', { user, channel, verb: verb?.name ?? 'launch' });
    return answer(refusedMessage(refusal, services.access));
  }

  if (text === '') {
    // The trigger_id lives three seconds: open the modal before anything slow.
    try {
      await client.views.open({ trigger_id: command.trigger_id, view: launchModal(channel) });
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
  try {
    if (verb) return await verb.run({ services, client, user, channel, answer }, rest);
    if (rest.length > 0)
      return answer(usageMessage(`I did not understand "${text.slice(0, 80)}".`));
    const mr = await services.engine.parseReference(word);
    await launchInSlack(services, { client, channel, user, mr, replace: false, answer });
  } catch (error) {
    if (isReviewAppError(error, 'BAD_MR_REFERENCE')) return answer(usageMessage(error.message));
    if (isReviewAppError(error)) return answer(errorMessage(errorText(error)));
    services.logger.error('command failed', { error });
    return answer(errorMessage('Something went wrong on our side; the error was logged.'));
  }
}
