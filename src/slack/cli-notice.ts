import { webApi } from '@slack/bolt';
import type { ReviewApp, ReviewAppMeta } from '../core/types.js';
import { section } from './messages/blocks.js';
import { code, escapeMrkdwn, link } from './messages/format.js';
import { mrLabel, statusMessage } from './messages/status.js';
import type { CliNoticeSettings } from './settings.js';

/**
 * The CLI's notice in Slack (SLACK_CLI_CHANNEL): a launch from CI gets a
 * parent message and a status reply, like one from Slack, and the app is
 * tagged with them so that the bot's watcher keeps its countdown and tells
 * its end in that thread. Loaded by the CLI only when configured.
 */
export class CliNotice {
  private readonly client: webApi.WebClient;

  constructor(private readonly settings: CliNoticeSettings) {
    this.client = new webApi.WebClient(settings.botToken, {
      ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
      // A CI job must not hang on Slack: a lost notice is better than a late launch.
      retryConfig: { retries: 1 },
    });
  }

  /** Post the parent message and the status reply; what the app's tags should remember. */
  async launched(app: ReviewApp, webUrl: string, now: number): Promise<Partial<ReviewAppMeta>> {
    const { channel } = this.settings;
    const { meta } = app;
    const who = escapeMrkdwn(meta.requester);
    const parent = await this.client.chat.postMessage({
      channel,
      text: `${meta.requester} (CI) launched a review app for !${meta.mr}`,
      blocks: [
        section(
          `${who} (CI) launched a review app for ${link(webUrl, mrLabel(meta))} (${code(meta.branch, 100)})`,
        ),
      ],
      unfurl_links: false,
    });
    const thread = parent.ts as string;
    const status = await this.client.chat.postMessage({
      channel,
      thread_ts: thread,
      ...statusMessage(
        { iid: meta.mr },
        { kind: 'starting', status: app.task.lastStatus, image: meta.image },
        now,
      ),
    });
    return { channel, thread, statusTs: status.ts as string };
  }

  /** Show the app running in its status reply (the bot's watcher keeps it up to date after). */
  async running(app: ReviewApp, now: number): Promise<void> {
    const { channel, statusTs } = app.meta;
    if (!channel || !statusTs) return;
    await this.client.chat.update({
      channel,
      ts: statusTs,
      ...statusMessage({ iid: app.meta.mr }, { kind: 'running', app }, now),
    });
  }
}
