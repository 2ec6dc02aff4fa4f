import { z } from 'zod';
import type { MergeRequestNotes } from '../core/ports.js';
import { type GitLabApi, lazyGitLabClient, requestStatus } from './client.js';
import type { GitLabSettings } from './settings.js';

const noteSchema = z.object({ id: z.number() });

/**
 * The review app's note on its merge request (GITLAB_MR_NOTES, with a token that has the
 * `api` scope and a role that may comment), through gitbeaker's MergeRequestNotes.
 */
export class GitLabMergeRequestNotes implements MergeRequestNotes {
  private readonly api: () => Promise<GitLabApi>;

  constructor(private readonly config: GitLabSettings) {
    this.api = lazyGitLabClient(config);
  }

  async write(mr: number, noteId: number | undefined, body: string): Promise<number> {
    const { MergeRequestNotes } = await this.api();
    if (noteId !== undefined) {
      try {
        await MergeRequestNotes.edit(this.config.project, mr, noteId, { body });
        return noteId;
      } catch (error) {
        // Someone deleted the note: the app is shown in a new one rather than nowhere.
        if (requestStatus(error) !== 404) throw error;
      }
    }
    const created = await MergeRequestNotes.create(this.config.project, mr, body);
    return noteSchema.parse(created).id;
  }
}
