import type { StopExplanation } from './diagnosis.js';
import type { Logger } from './logger.js';
import type { MergeRequestNotes, ThreadLinks } from './ports.js';
import type { ReviewApp, ReviewAppMeta } from './types.js';

export interface MergeRequestNoteDeps {
  notes: MergeRequestNotes | undefined;
  threadLinks: ThreadLinks | undefined;
  logger: Logger;
  /** Remember a new note id in the app's task tags (the bot's only state). */
  remember(app: ReviewApp, patch: Pick<ReviewAppMeta, 'noteId'>): Promise<ReviewApp>;
}

/** GitLab renders the note as Markdown: what the bot did not write is shown as text. */
function markdownText(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~]/g, (char) => `\\${char}`).replace(/@/g, '@\u200b');
}

export function utcTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 16)} UTC`;
}

/**
 * People as GitLab readers can place them: a Slack user id means nothing on GitLab, so a
 * Slack actor ("U123 via Slack", see actorName) is told as someone in Slack.
 */
function withoutSlackIds(text: string): string {
  return text.replace(/\b[UW][A-Z0-9_]{2,} via Slack\b/g, 'someone in Slack');
}

function launchedBy(meta: ReviewAppMeta, thread: string | undefined): string {
  if (meta.source === 'slack')
    return `launched from Slack${thread ? ` ([thread](${thread}))` : ''}`;
  return `launched by ${markdownText(meta.requester)} from the command line`;
}

/** What the MR's note says while the app runs. */
export function runningNote(meta: ReviewAppMeta, thread?: string): string {
  const url = meta.url ? `at ${meta.url} ` : '';
  return `Review app running ${url}until ${utcTime(meta.softDeadline)}, ${launchedBy(meta, thread)}.`;
}

/** What the MR's note says once the app has ended. */
export function endedNote(
  meta: ReviewAppMeta,
  explanation: StopExplanation,
  thread?: string,
): string {
  const summary = markdownText(withoutSlackIds(explanation.summary));
  const hint = explanation.hint ? ` ${markdownText(explanation.hint)}` : '';
  // A merged or closed MR cannot be launched again.
  const ofMr = explanation.kind === 'mr-merged' || explanation.kind === 'mr-closed';
  const relaunch = ofMr
    ? ''
    : thread
      ? ` It can be relaunched from its [Slack thread](${thread}).`
      : ' It can be launched again with `/review-app` in Slack.';
  const was = meta.url ? ` (it was at ${meta.url})` : '';
  return `Review app ended${was}: ${summary}${hint}${relaunch}`;
}

/**
 * The one note on the merge request that shows its review app (GITLAB_MR_NOTES): written
 * when the app runs, edited in place when it moves (relaunch, extend) and ends. Its id lives
 * in the task's tags, so a restarted bot edits the same note. GitLab refusing the note
 * (scope, role) costs a warning, never the launch.
 */
export class MergeRequestNote {
  constructor(private readonly deps: MergeRequestNoteDeps) {}

  get enabled(): boolean {
    return this.deps.notes !== undefined;
  }

  /** The app runs (launched, relaunched, adopted or extended): the note says where and until when. */
  async running(app: ReviewApp): Promise<ReviewApp> {
    if (!this.deps.notes) return app;
    return this.write(app, runningNote(app.meta, await this.thread(app)));
  }

  /** The app ended; a relaunch is not an end, since the new app takes the note over. */
  async ended(app: ReviewApp, explanation: StopExplanation): Promise<void> {
    if (!this.deps.notes || explanation.kind === 'relaunched') return;
    await this.write(app, endedNote(app.meta, explanation, await this.thread(app)));
  }

  private async write(app: ReviewApp, body: string): Promise<ReviewApp> {
    const { notes, logger, remember } = this.deps;
    const { mr, noteId } = app.meta;
    let written: number;
    try {
      written = await (notes as MergeRequestNotes).write(mr, noteId, body);
    } catch (error) {
      logger.warn('could not write the review app note on the merge request', { mr, error });
      return app;
    }
    if (written === noteId) return app;
    return remember(app, { noteId: written }).catch((error) => {
      logger.warn('could not remember the merge request note in the tags', { mr, error });
      return { ...app, meta: { ...app.meta, noteId: written } };
    });
  }

  private async thread(app: ReviewApp): Promise<string | undefined> {
    const { channel, thread } = app.meta;
    if (!channel || !thread || !this.deps.threadLinks) return undefined;
    return this.deps.threadLinks.link(channel, thread).catch(() => undefined);
  }
}
