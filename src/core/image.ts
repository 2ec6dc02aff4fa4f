import { ReviewAppError } from './errors.js';
import { fillTemplate, tagCandidates, templateValues } from './image-template.js';
import type { MergeRequestSource } from './ports.js';
import type { ImageSettings } from './settings.js';
import type { MergeRequest } from './types.js';

const BUILDING = new Set([
  'created',
  'waiting_for_resource',
  'preparing',
  'pending',
  'running',
  'scheduled',
  'manual',
]);

/**
 * The image built for the MR's head commit: looked up in the project's
 * container registry, or (with IMAGE_TEMPLATE, e.g. ECR) made from the
 * template once the head pipeline has succeeded.
 */
export async function resolveImage(
  gitlab: MergeRequestSource,
  config: ImageSettings,
  mr: MergeRequest,
  /** The pipeline running this launch (a CI job), which counts as built: the job runs after the push. */
  ownPipelineId?: number,
): Promise<string> {
  if (config.imageTemplate) {
    const built =
      mr.headPipeline?.status === 'success' ||
      (ownPipelineId !== undefined && mr.headPipeline?.id === ownPipelineId);
    if (!built) throw noImage(mr);
    return fillTemplate(config.imageTemplate, templateValues(mr));
  }
  const candidates = tagCandidates(config.tagTemplate, mr);
  const found = await gitlab.findImageTag(
    candidates,
    mr.forkProjectId !== undefined ? { forkProjectId: mr.forkProjectId } : {},
  );
  if (found) return found.location;
  throw noImage(mr, candidates);
}

function noImage(mr: MergeRequest, candidates?: string[]): ReviewAppError {
  const pipeline = mr.headPipeline;
  const where = mr.forkProjectId !== undefined ? ` in the fork's registry and the project's` : '';
  const looked = candidates
    ? ` (looked for ${candidates.length === 1 ? 'tag' : 'tags'} ${candidates.map((c) => `"${c}"`).join(', ')}${where})`
    : '';
  const details = { mr, pipeline, candidates };
  if (!pipeline) {
    return new ReviewAppError(
      'NO_PIPELINE',
      `No image was built for !${mr.iid}${looked}, and its head commit has no pipeline. Push a commit or run a pipeline for the branch, then try again.`,
      details,
    );
  }
  if (BUILDING.has(pipeline.status)) {
    return new ReviewAppError(
      'IMAGE_NOT_BUILT',
      `The image for !${mr.iid} is not built yet: pipeline #${pipeline.id} is ${pipeline.status.replace(/_/g, ' ')}. Try again when it has finished.`,
      details,
    );
  }
  if (
    pipeline.status === 'failed' ||
    pipeline.status === 'canceled' ||
    pipeline.status === 'skipped'
  ) {
    return new ReviewAppError(
      'PIPELINE_FAILED',
      `No image for !${mr.iid}: pipeline #${pipeline.id} ${pipeline.status === 'failed' ? 'failed' : `was ${pipeline.status}`}. Fix the pipeline, then try again.`,
      details,
    );
  }
  return new ReviewAppError(
    'IMAGE_NOT_BUILT',
    `No image was found for !${mr.iid}${looked}, although pipeline #${pipeline.id} is ${pipeline.status}. Check that the pipeline pushes the image with that tag.`,
    details,
  );
}
