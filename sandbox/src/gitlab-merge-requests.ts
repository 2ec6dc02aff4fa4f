import { paginated } from './gitlab-pagination.js';
import { filterMergeRequests, mergeRequestListRefusal } from './gitlab-query.js';
import { listRequest, notFound, type Router } from './gitlab-router.js';
import {
  findProject,
  type GitLabState,
  type MergeRequestRecord,
  mustProject,
  type ProjectRecord,
  userOf,
} from './gitlab-state.js';
import type {
  GitLabMergeRequest,
  GitLabPipeline,
  MergeRequestInput,
  MergeRequestPatch,
  PipelineInput,
} from './gitlab-types.js';
import { json } from './http.js';

/** Merge requests (listed, by `iids[]` too, and one by iid) and their head pipelines. */

export function mergeRequestRoutes(router: Router, state: GitLabState): void {
  router.project('GET', '/projects/:id/merge_requests', (record, _params, request) => {
    const refusal = mergeRequestListRefusal(request.query);
    if (refusal) return refusal;
    const list = filterMergeRequests([...record.mergeRequests.values()], request.query);
    return paginated(
      list.map((mr) => render(record, mr, false)),
      listRequest(state, request),
    );
  });
  router.project('GET', '/projects/:id/merge_requests/:iid', (record, params) => {
    const mr = record.mergeRequests.get(Number(params.iid));
    return mr ? json(200, render(record, mr, true)) : notFound();
  });
}

/** Adds or replaces a pipeline; MRs whose head pipeline has this id show the new status. */
export function savePipeline(
  record: ProjectRecord,
  input: PipelineInput,
  sha = '',
  ref = '',
): GitLabPipeline {
  const existing = record.pipelines.get(input.id);
  const pipeline: GitLabPipeline = {
    id: input.id,
    sha: input.sha ?? existing?.sha ?? sha,
    ref: input.ref ?? existing?.ref ?? ref,
    status: input.status,
    web_url: `${record.project.web_url}/-/pipelines/${input.id}`,
  };
  record.pipelines.set(input.id, pipeline);
  return pipeline;
}

export function addPipeline(
  state: GitLabState,
  projectId: number | string,
  input: PipelineInput,
): GitLabPipeline {
  return savePipeline(mustProject(state, projectId), input);
}

export function addMergeRequest(
  state: GitLabState,
  projectId: number | string,
  input: MergeRequestInput,
): GitLabMergeRequest {
  const record = mustProject(state, projectId);
  const { path_with_namespace: path, default_branch } = record.project;
  const at = input.created_at ?? state.iso();
  const mr: MergeRequestRecord = {
    id: state.nextMergeRequestId++,
    iid: input.iid,
    project_id: record.project.id,
    title: input.title,
    description: '',
    state: 'opened',
    created_at: at,
    updated_at: at,
    merged_at: null,
    closed_at: null,
    merged_by: null,
    merge_user: null,
    closed_by: null,
    target_branch: default_branch,
    source_branch: input.source_branch,
    source_project_id: input.source_project_id ?? record.project.id,
    target_project_id: record.project.id,
    author: userOf(state, input.author ?? { username: 'dev', name: 'Dev Eloper' }),
    draft: false,
    sha: input.sha,
    web_url: `${state.baseUrl}/${path}/-/merge_requests/${input.iid}`,
    headPipelineId: null,
  };
  const { iid: _iid, source_project_id: _source, created_at: _at, ...patch } = input;
  applyPatch(state, record, mr, patch);
  record.mergeRequests.set(input.iid, mr);
  return render(record, mr, true);
}

export function updateMergeRequest(
  state: GitLabState,
  projectId: number | string,
  iid: number,
  patch: MergeRequestPatch,
): GitLabMergeRequest {
  const record = mustProject(state, projectId);
  const mr = record.mergeRequests.get(iid);
  if (!mr) throw new Error(`GitLab stand-in: no merge request !${iid}`);
  applyPatch(state, record, mr, patch);
  return render(record, mr, true);
}

/** The MR as `GET .../merge_requests/:iid` answers it. */
export function showMergeRequest(
  state: GitLabState,
  projectId: number | string,
  iid: number,
): GitLabMergeRequest | undefined {
  const record = findProject(state, projectId);
  const mr = record?.mergeRequests.get(iid);
  return record && mr ? render(record, mr, true) : undefined;
}

/** `full`: the single-MR answer, with `head_pipeline`; GitLab's list answer has none. */
function render(record: ProjectRecord, mr: MergeRequestRecord, full: boolean) {
  const { headPipelineId, ...rest } = mr;
  const out: GitLabMergeRequest = structuredClone(rest);
  if (full) {
    const pipeline = headPipelineId === null ? undefined : record.pipelines.get(headPipelineId);
    out.head_pipeline = pipeline ? { ...pipeline } : null;
  }
  return out;
}

function applyPatch(
  state: GitLabState,
  record: ProjectRecord,
  mr: MergeRequestRecord,
  patch: MergeRequestPatch,
): void {
  if (patch.title !== undefined) mr.title = patch.title;
  if (patch.source_branch !== undefined) mr.source_branch = patch.source_branch;
  if (patch.sha !== undefined) mr.sha = patch.sha;
  if (patch.draft !== undefined) mr.draft = patch.draft;
  if (patch.author !== undefined) mr.author = userOf(state, patch.author);
  if (patch.state !== undefined && patch.state !== mr.state) {
    const actor = patch.actor ? userOf(state, patch.actor) : mr.author;
    mr.state = patch.state;
    mr.merged_at = patch.state === 'merged' ? state.iso() : null;
    mr.closed_at = patch.state === 'closed' ? state.iso() : null;
    mr.merged_by = patch.state === 'merged' ? actor : null;
    mr.merge_user = mr.merged_by;
    mr.closed_by = patch.state === 'closed' ? actor : null;
  }
  if (patch.head_pipeline !== undefined) {
    mr.headPipelineId =
      patch.head_pipeline === null
        ? null
        : savePipeline(record, patch.head_pipeline, mr.sha, mr.source_branch).id;
  }
  mr.updated_at = state.iso();
}
