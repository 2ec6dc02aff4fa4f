import { webApi } from '@slack/bolt';
import type { ReviewApp, ReviewAppMeta } from '../core/types.js';
import { parentMessage } from './messages/parent.js';
import { statusMessage } from './messages/status.js';
import type { SlackNotifier } from './notifier.js';
import { type NotifierServices, notifierFor } from './services.js';
import type { CliNoticeSettings } from './settings.js';

/**
 * The CLI's notice in Slack (SLACK_CLI_CHANNEL): a launch from CI gets a
 * parent message and a status reply, like one from Slack, and the app is
 * tagged with them so that the bot's watcher keeps its countdown and tells
 * its end in that thread. Loaded by the CLI only when configured.
 */
export class CliNotice {
  private readonly client: webApi.WebClient;
  private readonly notifier: SlackNotifier;

  constructor(
    private readonly settings: CliNoticeSettings,
    private readonly services: NotifierServices,
  ) {
    this.client = new webApi.WebClient(settings.botToken, {
      ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
      // A CI job must not hang on Slack: a lost notice is better than a late launch.
      retryConfig: { retries: 1 },
    });
    this.notifier = notifierFor(services, this.client);
  }

  /** `shop`, where the CLI serves several projects: the channel hears which one. */
  private get label(): string | undefined {
    return 'label' in this.services ? this.services.label : undefined;
  }

  /** Post the parent message and the status reply; what the app's tags should remember. */
  async launched(app: ReviewApp, webUrl: string): Promise<Partial<ReviewAppMeta>> {
    const { channel } = this.settings;
    const { meta } = app;
    // Not through the notifier, which logs failures: the CI job's log must say
    // in one line why Slack refused (not_in_channel...), and the thread needs its ts.
    const parent = await this.client.chat.postMessage({
      channel,
      ...parentMessage({ ...meta, webUrl, label: this.label }, { kind: 'launching' }),
      unfurl_links: false,
    });
    const where = { channel, thread: parent.ts as string };
    const statusTs = await this.notifier.postInThread(
      { ...app, meta: { ...meta, ...where } },
      statusMessage(
        { iid: meta.mr, project: meta.project, label: this.label },
        { kind: 'starting', status: app.task.lastStatus, image: meta.image },
        this.services.clock.now(),
      ),
    );
    return statusTs ? { ...where, statusTs } : where;
  }

  /**
   * Show the app running in its status reply, cost included, as the bot's
   * countdown does (and keeps doing after). False when Slack did not take it.
   */
  async running(app: ReviewApp): Promise<boolean> {
    const shown = (await this.notifier.countdown(app)) === 'updated';
    await this.notifier.showParent(app, { kind: 'running', until: app.meta.softDeadline });
    return shown;
  }
}
