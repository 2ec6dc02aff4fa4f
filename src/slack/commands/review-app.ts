import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { isReviewAppError } from '../../core/errors.js';
import { isAllowed } from '../access.js';
import { stopFromSlack } from '../actions/stop.js';
import { launchInSlack } from '../launch-flow.js';
import {
  errorMessage,
  helpMessage,
  listMessage,
  refusedMessage,
  usageMessage,
} from '../messages/notices.js';
import type { SlackMessage } from '../messages/status.js';
import type { SlackServices } from '../services.js';
import { launchModal } from '../views/launch-modal.js';

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** `/review-app [42 | !42 | URL | list | stop 42 | help]`: acknowledged at once, worked on after. */
export async function handleReviewAppCommand(services: SlackServices, args: Args): Promise<void> {
  const { command, ack, respond, client, logger } = args;
  const text = command.text.trim();
  const reply = async (message: SlackMessage): Promise<void> => {
    try {
      await respond({ response_type: 'ephemeral', ...message });
    } catch (error) {
      services.logger.warn('could not answer the command', { error });
    }
  };

  if (text === '') {
    // The trigger_id lives three seconds: open the modal before anything slow.
    await ack();
    if (!isAllowed(services.access, command.user_id, command.channel_id)) {
      services.logger.warn('refused the picker', {
        user: command.user_id,
        channel: command.channel_id,
      });
      await reply(refusedMessage());
      return;
    }
    try {
      await client.views.open({
        trigger_id: command.trigger_id,
        view: launchModal(command.channel_id),
      });
    } catch (error) {
      logger.warn(`could not open the modal: ${(error as Error).message}`);
      await reply(
        errorMessage(
          'The picker could not be opened in time. Try again, or give the merge request: /review-app 42',
        ),
      );
    }
    return;
  }
  await ack();

  const [word = '', ...rest] = text.split(/\s+/);
  const verb = word.toLowerCase();
  if (verb === 'help') return reply(helpMessage());
  if (verb === 'list') {
    if (rest.length > 0) return reply(usageMessage('`list` takes nothing after it.'));
    return reply(await list(services));
  }

  if (!isAllowed(services.access, command.user_id, command.channel_id)) {
    services.logger.warn('refused a command', {
      user: command.user_id,
      channel: command.channel_id,
      verb,
    });
    return reply(refusedMessage());
  }

  try {
    if (verb === 'stop') {
      if (rest.length !== 1)
        return reply(usageMessage('Say which review app to stop, e.g. `/review-app stop 42`.'));
      const mr = await services.engine.parseReference(rest[0] as string);
      const answer = await stopFromSlack(services, client, mr, command.user_id);
      return reply(answer);
    }
    if (rest.length > 0) return reply(usageMessage(`I did not understand "${text.slice(0, 80)}".`));
    const mr = await services.engine.parseReference(word);
    await launchInSlack(services, {
      client,
      channel: command.channel_id,
      user: command.user_id,
      mr,
      replace: false,
      reply,
    });
  } catch (error) {
    if (isReviewAppError(error, 'BAD_MR_REFERENCE')) return reply(usageMessage(error.message));
    if (isReviewAppError(error)) return reply(errorMessage(error.message));
    services.logger.error('command failed', { error });
    return reply(errorMessage('Something went wrong on our side; the error was logged.'));
  }
}

async function list(services: SlackServices): Promise<SlackMessage> {
  try {
    const apps = await services.engine.list();
    const now = services.clock.now();
    const { engine } = services;
    return listMessage(
      apps,
      now,
      (app) => engine.costOf(app),
      apps.length > 0 ? engine.totalCostOf(apps) : undefined,
    );
  } catch (error) {
    return errorMessage(
      isReviewAppError(error) ? error.message : 'The running apps could not be listed right now.',
    );
  }
}
