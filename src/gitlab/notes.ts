import { z } from 'zod';
import { isReviewAppError } from '../core/errors.js';
import type { MergeRequestNotes } from '../core/ports.js';
import type { GitLabCalls } from './gitlab-calls.js';

const noteSchema = z.object({ id: z.number() });

/**
 * The review app's note on its merge request (GITLAB_MR_NOTES, with a token that has the
 * `api` scope and a role that may comment), through gitbeaker's MergeRequestNotes and the
 * bot's one GitLab client, so its calls wait out rate limits as every other call does.
 */
export class GitLabMergeRequestNotes implements MergeRequestNotes {
  constructor(private readonly calls: GitLabCalls) {}

  async write(mr: number, noteId: number | undefined, body: string): Promise<number> {
    const { project } = this.calls.config;
    const what = `the review app note on !${mr}`;
    if (noteId !== undefined) {
      try {
        await this.calls.call(what, async () =>
          (await this.calls.api()).MergeRequestNotes.edit(project, mr, noteId, { body }),
        );
        return noteId;
      } catch (error) {
        // Someone deleted the note: the app is shown in a new one rather than nowhere.
        if (!isReviewAppError(error, 'MR_NOT_FOUND')) throw error;
      }
    }
    const created = await this.calls.call(what, async () =>
      (await this.calls.api()).MergeRequestNotes.create(project, mr, body),
    );
    return noteSchema.parse(created).id;
  }
}
