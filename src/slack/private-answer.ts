import type { RespondFn, webApi } from '@slack/bolt';
import type { Logger } from '../core/logger.js';
import type { SlackMessage } from './messages/blocks.js';

/** A private answer to the person who typed a command, clicked a button or submitted a modal. */
export type PrivateAnswer = (message: SlackMessage) => Promise<void>;

/**
 * Answers one person privately wherever they are. chat.postEphemeral is not
 * used: it needs the bot in the channel (`not_in_channel`), while the command
 * works in any public channel through `chat:write.public`. The response_url
 * Slack sends with a command or a click works anywhere, 5 times in 30
 * minutes; past that, or without one (a modal), a direct message from the app
 * reaches the person.
 */
export function privateAnswer(options: {
  client: webApi.WebClient;
  user: string;
  logger: Logger;
  respond?: RespondFn | undefined;
  /** The thread the person acted in, so the answer shows beside it. */
  thread?: string | undefined;
}): PrivateAnswer {
  const { client, user, logger, respond, thread } = options;
  return async (message) => {
    if (respond) {
      try {
        // replace_original false: a click's answer must never overwrite the message clicked.
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          ...(thread ? { thread_ts: thread } : {}),
          ...message,
        });
        return;
      } catch (error) {
        logger.warn('could not answer through the response_url; sending a direct message', {
          user,
          error,
        });
      }
    }
    try {
      await client.chat.postMessage({ channel: user, ...message });
    } catch (error) {
      logger.warn('could not answer privately', { user, error });
    }
  };
}
