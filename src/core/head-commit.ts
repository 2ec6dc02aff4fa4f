import { isReviewAppError } from './errors.js';
import { resolveImage } from './image.js';
import type { MergeRequestSource } from './ports.js';
import type { ImageSettings } from './settings.js';

export type HeadCommitImage =
  | { sha: string; outcome: 'ready'; image: string }
  | { sha: string; outcome: 'building'; message: string }
  | { sha: string; outcome: 'failed'; message: string }
  | { sha: string; outcome: 'waiting' };

/**
 * Where the MR's current head commit stands on its way to a review app: its
 * image is ready, its pipeline still runs (or has not started: `waiting`), or
 * it failed to give an image. `message` says so in words for people.
 */
export async function headCommitImage(
  gitlab: MergeRequestSource,
  image: ImageSettings,
  iid: number,
): Promise<HeadCommitImage> {
  const mr = await gitlab.getMergeRequest(iid);
  try {
    return { sha: mr.sha, outcome: 'ready', image: await resolveImage(gitlab, image, mr) };
  } catch (error) {
    if (isReviewAppError(error, 'NO_PIPELINE')) return { sha: mr.sha, outcome: 'waiting' };
    if (isReviewAppError(error, 'PIPELINE_FAILED')) {
      return { sha: mr.sha, outcome: 'failed', message: error.message };
    }
    if (isReviewAppError(error, 'IMAGE_NOT_BUILT')) {
      // A finished pipeline that pushed no image will not push one later.
      return error.details.pipeline?.status === 'success'
        ? { sha: mr.sha, outcome: 'failed', message: error.message }
        : { sha: mr.sha, outcome: 'building', message: error.message };
    }
    throw error;
  }
}
