import type { webApi } from '@slack/bolt';
import type { Clock } from '../core/clock.js';
import type { StopExplanation } from '../core/diagnosis.js';
import type { Logger } from '../core/logger.js';
import type { ReviewApp, ReviewAppMeta } from '../core/types.js';
import type { CommitNews } from '../watcher/follow.js';
import type { CountdownResult, Notifier } from '../watcher/watcher.js';
import type { SlackMessage } from './messages/blocks.js';
import { newCommitMessage } from './messages/follow.js';
import type { LabelledApp } from './messages/format.js';
import {
  endedNotice,
  endedReply,
  retiredOffer,
  retiredWarning,
  warningMessage,
} from './messages/notices.js';
import { type ParentState, parentMessage } from './messages/parent.js';
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
      /** The MR's page, for the channel message's link (made again from the tags). */
      mergeRequestUrl?: (meta: Pick<ReviewAppMeta, 'project' | 'mr'>) => string;
      /** How messages name the app's project (`shop`) when the bot serves several. */
      labelOf?: (meta: Pick<ReviewAppMeta, 'project'>) => string | undefined;
    },
  ) {}

  /** The app as its messages name it: `shop!42` with several projects. */
  named(app: ReviewApp): LabelledApp {
    const label = this.deps.labelOf?.(app.meta);
    return label ? { ...app, label } : app;
  }

  /** Refresh the status reply with the time left. */
  async countdown(app: ReviewApp): Promise<CountdownResult> {
    const cost = this.deps.costOf(app);
    return this.showStatus(app, { kind: 'running', app, ...(cost ? { cost } : {}) });
  }

  /** The five-minute warning; its ts, to take its buttons away once they no longer apply. */
  async warn(app: ReviewApp): Promise<string | undefined> {
    return this.postInThread(app, warningMessage(this.named(app), this.deps.clock.now()));
  }

  /**
   * The end, told once: the status reply shows it, and the channel message says the app
   * ended. An end nobody asked for is also one notice broadcast from the thread, which
   * says why with the Relaunch button, so the status then only says it ended. A stop
   * someone asked for posts nothing more: they know, and the status says who it was.
   * Buttons of the warning and of a relaunch offer are taken away. Returns how many
   * messages were edited, which the caller counts against Slack's update budget.
   */
  async ended(app: ReviewApp, explanation: StopExplanation): Promise<number> {
    const cost = this.deps.costOf(app);
    const told = explanation.unexpected;
    const stage: Stage = { kind: 'ended', explanation, ...(cost ? { cost } : {}), toldBelow: told };
    let edits = (await this.showStatus(app, stage)) === 'updated' && app.meta.statusTs ? 1 : 0;
    // A relaunch keeps the channel message: it speaks of the new app in the same thread.
    if (explanation.kind !== 'relaunched') {
      edits += await this.showParent(app, { kind: 'ended', at: this.deps.clock.now() });
    }
    edits += await this.retireButtons(
      app,
      explanation.kind === 'relaunched'
        ? 'the review app was relaunched'
        : 'the review app has ended',
    );
    if (told) {
      await this.announce(
        app,
        endedNotice(this.named(app), explanation, await this.logsAfter(app, explanation)),
      );
    } else if (explanation.kind === 'lost') {
      // Nobody asked for this end and no notice tells it, while an edited status notifies
      // nobody: one quiet reply lets the thread's followers know.
      await this.postInThread(app, endedReply(this.named(app)));
    }
    return edits;
  }

  /**
   * The channel message, edited to say what is true of the app now. Its ts is the
   * thread's; the MR's link is made again from the tags. 1 when an edit was made.
   */
  async showParent(app: ReviewApp, state: ParentState): Promise<number> {
    const { channel, thread } = app.meta;
    if (!channel || !thread || !this.deps.mergeRequestUrl) return 0;
    const subject = {
      ...app.meta,
      webUrl: this.deps.mergeRequestUrl(app.meta),
      label: this.deps.labelOf?.(app.meta),
    };
    return (await this.edit(channel, thread, parentMessage(subject, state), app)) ? 1 : 0;
  }

  /**
   * The warning's and the relaunch offer's buttons, once their moment has passed, are
   * replaced by a line saying why (`why`). How many messages were edited.
   */
  async retireButtons(
    app: ReviewApp,
    why: string,
    which: { warning?: boolean; offer?: boolean } = { warning: true, offer: true },
  ): Promise<number> {
    const { channel, warningTs, offerTs } = app.meta;
    if (!channel) return 0;
    let edits = 0;
    if (
      which.warning &&
      warningTs &&
      (await this.edit(channel, warningTs, retiredWarning(why), app))
    )
      edits += 1;
    if (which.offer && offerTs && (await this.edit(channel, offerTs, retiredOffer(why), app)))
      edits += 1;
    return edits;
  }

  /** One edit of a message the bot posted; false when Slack refused it (logged). */
  private async edit(
    channel: string,
    ts: string,
    message: SlackMessage,
    app: ReviewApp,
  ): Promise<boolean> {
    try {
      await this.client.chat.update({ channel, ts, ...message });
      return true;
    } catch (error) {
      this.deps.logger.warn('could not edit a message', { channel, ts, mr: app.meta.mr, error });
      return false;
    }
  }

  /**
   * A new head commit: said in the thread; relaunched at once when the settings say so.
   * An earlier offer to relaunch is taken back, since its commit is no longer the head.
   * The ts of the message when it offers a relaunch, to take that back in turn.
   */
  async newCommit(app: ReviewApp, news: CommitNews): Promise<string | undefined> {
    const relaunch = news.kind === 'ready' && news.auto ? this.deps.relaunch : undefined;
    const told = news.kind === 'ready' && !relaunch ? { ...news, auto: false } : news;
    await this.retireButtons(app, 'a newer commit came since', { offer: true });
    const ts = await this.postInThread(app, newCommitMessage(this.named(app), told));
    // In the background: a launch takes a minute, and the watcher's round must go on meanwhile.
    relaunch?.(app).catch((error) =>
      this.deps.logger.error('could not relaunch with a new commit', { mr: app.meta.mr, error }),
    );
    return told.kind === 'ready' && !told.auto ? ts : undefined;
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
        ...statusMessage(
          { iid: app.meta.mr, project: app.meta.project, label: this.deps.labelOf?.(app.meta) },
          stage,
          this.deps.clock.now(),
        ),
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
