import type { webApi } from '@slack/bolt';
import type { Clock } from '../core/clock.js';
import type { StopExplanation } from '../core/diagnosis.js';
import type { Logger } from '../core/logger.js';
import type { ReviewApp } from '../core/types.js';
import type { CommitNews } from '../watcher/follow.js';
import type { CountdownResult, Notifier } from '../watcher/watcher.js';
import type { SlackMessage } from './messages/blocks.js';
import { newCommitMessage } from './messages/follow.js';
import { endedNotice, endedReply, warningMessage } from './messages/notices.js';
import { type Stage, statusMessage } from './messages/status.js';

/**
 * Tells Slack what happens to a running app: the countdown in its status
 * reply, the five-minute warning, and its end. Failures to reach Slack are
 * logged, never thrown: a lost message must not stop the watcher.
 */
export class SlackNotifier implements Notifier {
  /**
   * @param client posts messages; it retries after Slack's Retry-After, so notices are not lost.
   * @param deps.updates updates countdowns; it should reject rate-limited calls
   *   (`rejectRateLimitedCalls`), so that the watcher waits instead of blocking a round.
   */
  constructor(
    private readonly client: webApi.WebClient,
    private readonly deps: {
      clock: Clock;
      logger: Logger;
      /** What an app has cost so far, for people. */
      costOf: (app: ReviewApp) => string | undefined;
      updates?: webApi.WebClient;
      /** The app's last log lines (undefined when it logs nowhere readable). */
      logsOf?: (app: ReviewApp) => Promise<string[] | undefined>;
      /** Relaunch an app in its own thread (REVIEW_APP_FOLLOW=auto). */
      relaunch?: (app: ReviewApp) => Promise<void>;
    },
  ) {}

  /** Refresh the status reply with the time left. */
  async countdown(app: ReviewApp): Promise<CountdownResult> {
    const cost = this.deps.costOf(app);
    return this.showStatus(app, { kind: 'running', app, ...(cost ? { cost } : {}) });
  }

  async warn(app: ReviewApp): Promise<void> {
    await this.postInThread(app, warningMessage(app, this.deps.clock.now()));
  }

  /** The final status saying why, then a reply, told to the channel when nobody asked for the stop. */
  async ended(app: ReviewApp, explanation: StopExplanation): Promise<void> {
    const cost = this.deps.costOf(app);
    await this.showStatus(app, { kind: 'ended', explanation, ...(cost ? { cost } : {}) });
    if (explanation.unexpected) {
      await this.announce(
        app,
        endedNotice(app, explanation, await this.logsAfter(app, explanation)),
      );
    } else if (explanation.kind !== 'relaunched') {
      // An edit notifies nobody, so the thread's followers hear of the end in a
      // reply; who stopped it and why is said once, in the status above. A
      // relaunch needs no reply: the new app's status follows in the thread.
      await this.postInThread(app, endedReply(app));
    }
  }

  /** A new head commit: said in the thread; relaunched at once when the settings say so. */
  async newCommit(app: ReviewApp, news: CommitNews): Promise<void> {
    const relaunch = news.kind === 'ready' && news.auto ? this.deps.relaunch : undefined;
    const told = news.kind === 'ready' && !relaunch ? { ...news, auto: false } : news;
    await this.postInThread(app, newCommitMessage(app, told));
    // In the background: a launch takes a minute, and the watcher's round must go on meanwhile.
    relaunch?.(app).catch((error) =>
      this.deps.logger.error('could not relaunch with a new commit', { mr: app.meta.mr, error }),
    );
  }

  /** A crash or a failed start: what the app printed last says why, when it can be read. */
  async logsAfter(app: ReviewApp, explanation: StopExplanation): Promise<string[] | undefined> {
    if (explanation.kind !== 'crashed' && explanation.kind !== 'failed-to-start') return undefined;
    try {
      return await this.deps.logsOf?.(app);
    } catch (error) {
      this.deps.logger.warn('could not read the app’s logs', { mr: app.meta.mr, error });
      return undefined;
    }
  }

  /** A reply in the app's thread; its ts, undefined when it could not be posted. */
  postInThread(app: ReviewApp, message: SlackMessage): Promise<string | undefined> {
    return this.post(app, message, false);
  }

  /** A reply in the app's thread that the whole channel sees too (ends nobody asked for). */
  announce(app: ReviewApp, message: SlackMessage): Promise<string | undefined> {
    return this.post(app, message, true);
  }

  private async post(
    app: ReviewApp,
    message: SlackMessage,
    broadcast: boolean,
  ): Promise<string | undefined> {
    const { channel, thread } = app.meta;
    if (!channel) return undefined;
    try {
      const posted = await this.client.chat.postMessage(
        thread
          ? { channel, thread_ts: thread, reply_broadcast: broadcast, ...message }
          : { channel, ...message },
      );
      return posted.ts;
    } catch (error) {
      this.deps.logger.warn('could not post to Slack', { channel, mr: app.meta.mr, error });
      return undefined;
    }
  }

  async showStatus(app: ReviewApp, stage: Stage): Promise<CountdownResult> {
    const { channel, statusTs } = app.meta;
    if (!channel || !statusTs) return 'updated';
    try {
      await (this.deps.updates ?? this.client).chat.update({
        channel,
        ts: statusTs,
        ...statusMessage({ iid: app.meta.mr }, stage, this.deps.clock.now()),
      });
      return 'updated';
    } catch (error) {
      this.deps.logger.warn('could not update the status message', {
        channel,
        ts: statusTs,
        mr: app.meta.mr,
        error,
      });
      const { code, retryAfter } = error as { code?: string; retryAfter?: number };
      return code === 'slack_webapi_rate_limited_error'
        ? { retryAfterMs: (retryAfter ?? 60) * 1000 }
        : 'failed';
    }
  }
}
