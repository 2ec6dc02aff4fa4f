import type { webApi } from '@slack/bolt';
import type { ThreadLinks } from '../core/ports.js';

/**
 * Links to apps' threads from chat.getPermalink, which knows the workspace's own address
 * and gives a thread's reply link (`?thread_ts=…&cid=…`) for a message in a thread.
 */
export function slackThreadLinks(client: webApi.WebClient): ThreadLinks {
  return {
    async link(channel, thread) {
      return (await client.chat.getPermalink({ channel, message_ts: thread })).permalink;
    },
  };
}
