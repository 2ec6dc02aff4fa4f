import { GitbeakerRequestError, Gitlab } from '@gitbeaker/rest';
import { describe, expect, it } from 'vitest';
import { type GitLabStandIn, startGitLabStandIn } from '../src/gitlab.js';

async function seeded(): Promise<GitLabStandIn> {
  const gitlab = await startGitLabStandIn();
  gitlab.addProject({ id: 7, path: 'acme/shop' });
  return gitlab;
}

const client = (gitlab: GitLabStandIn, token = gitlab.token) =>
  new Gitlab({ host: gitlab.url, token });

async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(GitbeakerRequestError);
    const cause = (error as GitbeakerRequestError).cause as { response?: Response } | undefined;
    return cause?.response?.status;
  }
}

describe('GitLab stand-in with @gitbeaker/rest', () => {
  it('shows a merge request by numeric id and by URL-encoded path', async () => {
    await using gitlab = await seeded();
    gitlab.addMergeRequest(7, {
      iid: 42,
      title: 'Checkout: pay by card',
      source_branch: 'feature/card',
      sha: 'a'.repeat(40),
      author: { username: 'ada', name: 'Ada Lovelace' },
      head_pipeline: { id: 900, status: 'success' },
    });
    const api = client(gitlab);

    const byId = await api.MergeRequests.show(7, 42);
    const byPath = await api.MergeRequests.show('acme/shop', 42);

    expect(byId).toMatchObject({
      iid: 42,
      project_id: 7,
      state: 'opened',
      source_branch: 'feature/card',
      sha: 'a'.repeat(40),
      web_url: `${gitlab.url}/acme/shop/-/merge_requests/42`,
      author: { username: 'ada', name: 'Ada Lovelace' },
      head_pipeline: {
        id: 900,
        status: 'success',
        web_url: `${gitlab.url}/acme/shop/-/pipelines/900`,
      },
    });
    expect(byPath).toEqual(byId);
    expect(gitlab.requests.map((r) => r.path)).toEqual([
      '/api/v4/projects/7/merge_requests/42',
      '/api/v4/projects/acme%2Fshop/merge_requests/42',
    ]);
    expect(gitlab.requests[0]?.operation).toBe('GET /projects/:id/merge_requests/:iid');
  });

  it('answers 404 for a missing merge request and 401 for a wrong token', async () => {
    await using gitlab = await seeded();
    expect(await statusOf(client(gitlab).MergeRequests.show(7, 404))).toBe(404);
    expect(await statusOf(client(gitlab, 'nope').MergeRequests.show(7, 1))).toBe(401);
    await expect(client(gitlab, 'nope').Projects.show(7)).rejects.toThrow('401 Unauthorized');
  });

  it('records unknown routes as UNKNOWN and answers 404', async () => {
    await using gitlab = await seeded();
    expect(await statusOf(client(gitlab).Branches.all(7))).toBe(404);
    expect(gitlab.requests.map((r) => r.operation)).toEqual([
      'UNKNOWN GET /api/v4/projects/7/repository/branches',
    ]);
  });

  it('pages merge requests so that .all() collects every page', async () => {
    await using gitlab = await seeded();
    for (let iid = 1; iid <= 45; iid += 1) {
      gitlab.addMergeRequest(7, {
        iid,
        title: `Feature ${iid}`,
        state: iid % 5 === 0 ? 'merged' : 'opened',
        source_branch: `branch-${iid}`,
        sha: String(iid).padStart(40, '0'),
        created_at: new Date(Date.UTC(2026, 0, 1, 0, iid)).toISOString(),
      });
    }
    const api = client(gitlab);

    const open = await api.MergeRequests.all({ projectId: 7, state: 'opened', perPage: 10 });
    expect(open).toHaveLength(36);
    expect(open[0]?.iid).toBe(44); // created_at desc by default
    expect(open.some((mr) => 'head_pipeline' in mr)).toBe(false);
    expect(gitlab.requests.map((r) => r.query.get('page'))).toEqual([null, '2', '3', '4']);
    expect(gitlab.requests[1]?.query.get('state')).toBe('opened');

    const oldestFirst = await api.MergeRequests.all({
      projectId: 7,
      state: 'opened',
      orderBy: 'created_at',
      sort: 'asc',
      perPage: 3,
      maxPages: 1,
    });
    expect(oldestFirst.map((mr) => mr.iid)).toEqual([1, 2, 3]);

    const picked = await api.MergeRequests.all({ projectId: 7, iids: [3, 5, 99] });
    expect(picked.map((mr) => mr.iid).sort()).toEqual([3, 5]);

    const { data, paginationInfo } = await api.MergeRequests.all({
      projectId: 7,
      perPage: 20,
      page: 2,
      showExpanded: true,
    });
    expect(data).toHaveLength(20);
    expect(paginationInfo).toEqual({
      total: 45,
      next: 3,
      current: 2,
      previous: 1,
      perPage: 20,
      totalPages: 3,
    });
  });

  it('finds an image tag through the container registry', async () => {
    await using gitlab = await seeded();
    const repo = gitlab.addRegistryRepository(7, { id: 11 });
    gitlab.addRegistryRepository(7, { id: 12, name: 'worker' });
    gitlab.addRegistryTag(7, 11, 'abc1234', { digest: 'sha256:feed' });
    const api = client(gitlab);

    const repositories = await api.ContainerRegistry.allRepositories({ projectId: 7 });
    expect(repositories).toEqual([
      expect.objectContaining({
        id: 11,
        name: '',
        path: 'acme/shop',
        location: 'registry.example.test/acme/shop',
      }),
      expect.objectContaining({
        id: 12,
        name: 'worker',
        path: 'acme/shop/worker',
        location: 'registry.example.test/acme/shop/worker',
      }),
    ]);
    expect(repo.location).toBe('registry.example.test/acme/shop');

    const tag = await api.ContainerRegistry.showTag(7, 11, 'abc1234');
    expect(tag).toMatchObject({
      name: 'abc1234',
      path: 'acme/shop:abc1234',
      location: 'registry.example.test/acme/shop:abc1234',
      digest: 'sha256:feed',
    });
    expect(await statusOf(api.ContainerRegistry.showTag(7, 11, 'missing'))).toBe(404);
    expect(gitlab.requests.at(-1)?.operation).toBe(
      'GET /projects/:id/registry/repositories/:repository_id/tags/:tag_name',
    );
  });

  it('reflects pipeline changes in the head pipeline', async () => {
    await using gitlab = await seeded();
    gitlab.addMergeRequest(7, {
      iid: 5,
      title: 'Work',
      source_branch: 'work',
      sha: 'b'.repeat(40),
      head_pipeline: { id: 31, status: 'running' },
    });
    const api = client(gitlab);
    expect((await api.MergeRequests.show(7, 5)).head_pipeline).toMatchObject({
      id: 31,
      status: 'running',
      sha: 'b'.repeat(40),
    });

    gitlab.addPipeline(7, { id: 31, status: 'failed' });
    expect((await api.MergeRequests.show(7, 5)).head_pipeline).toMatchObject({ status: 'failed' });

    gitlab.updateMergeRequest(7, 5, { state: 'merged', head_pipeline: null });
    const merged = await api.MergeRequests.show(7, 5);
    expect(merged.state).toBe('merged');
    expect(merged.merged_at).toEqual(expect.any(String));
    expect(merged.head_pipeline).toBeNull();
  });

  it('lists merge requests by iids[] with who merged or closed them, as gitbeaker asks', async () => {
    await using gitlab = await seeded();
    for (const iid of [1, 2, 3]) {
      gitlab.addMergeRequest(7, {
        iid,
        title: `MR ${iid}`,
        source_branch: `b${iid}`,
        sha: `${iid}`.repeat(40),
      });
    }
    gitlab.updateMergeRequest(7, 1, {
      state: 'merged',
      actor: { username: 'max', name: 'Max Merger' },
    });
    gitlab.updateMergeRequest(7, 2, {
      state: 'closed',
      actor: { username: 'cleo', name: 'Cleo Closer' },
    });
    const api = client(gitlab);

    const listed = await api.MergeRequests.all({
      projectId: 7,
      iids: [1, 2],
      perPage: 100,
      maxPages: 1,
    });
    expect(gitlab.requests.at(-1)?.query.getAll('iids[]')).toEqual(['1', '2']);
    const byIid = Object.fromEntries(listed.map((mr) => [mr.iid, mr]));
    expect(Object.keys(byIid)).toEqual(['1', '2']);
    expect(byIid[1]).toMatchObject({
      state: 'merged',
      merge_user: { username: 'max' },
      merged_by: { username: 'max' },
      closed_by: null,
    });
    expect(byIid[2]).toMatchObject({
      state: 'closed',
      closed_by: { name: 'Cleo Closer' },
      merge_user: null,
    });
  });

  it('refuses writes to a token without the api scope, as GitLab does', async () => {
    await using gitlab = await seeded();
    const api = client(gitlab);
    expect(await statusOf(api.Environments.create(7, 'review/mr-5'))).toBe(403);
    expect(gitlab.environments(7)).toEqual([]);
  });

  it('keeps environments as GitLab does: valid unique names, stop, delete only when stopped', async () => {
    await using gitlab = await seeded();
    gitlab.setTokenScopes(['api']);
    const api = client(gitlab);
    const created = await api.Environments.create(7, 'review/mr-5', { externalUrl: 'http://a' });
    expect(created).toMatchObject({
      name: 'review/mr-5',
      external_url: 'http://a',
      state: 'available',
    });
    expect(await statusOf(api.Environments.create(7, 'review/!5'))).toBe(400);
    expect(await statusOf(api.Environments.create(7, 'review/mr-5'))).toBe(400);
    expect(await api.Environments.all(7, { name: 'review/mr-5' })).toHaveLength(1);
    expect(await statusOf(api.Environments.remove(7, created.id))).toBe(403);
    await api.Environments.edit(7, created.id, { externalUrl: 'http://b' });
    expect(await api.Environments.stop(7, created.id)).toMatchObject({
      state: 'stopped',
      external_url: 'http://b',
    });
    await api.Environments.remove(7, created.id);
    expect(gitlab.environments(7)).toEqual([]);
  });

  it('lets a fault target a route by its name', async () => {
    await using gitlab = await seeded();
    gitlab.addMergeRequest(7, { iid: 1, title: 'x', source_branch: 'x', sha: 'd'.repeat(40) });
    gitlab.fault({
      match: 'GET /projects/:id/merge_requests/:iid',
      reply: { status: 500, body: 'boom' },
      times: 1,
    });
    const api = client(gitlab);
    expect(await statusOf(api.MergeRequests.show(7, 1))).toBe(500);
    expect((await api.MergeRequests.show(7, 1)).iid).toBe(1);
  });
});

describe('GitLab stand-in: merge request list filters', () => {
  it('applies state, order_by and sort as documented, and refuses a value outside them', async () => {
    await using gitlab = await seeded();
    for (const [iid, title] of [
      [1, 'b'],
      [2, 'a'],
      [3, 'c'],
    ] as const) {
      gitlab.addMergeRequest(7, { iid, title, source_branch: `f${iid}`, sha: `s${iid}` });
    }
    gitlab.updateMergeRequest(7, 3, { state: 'merged' });
    const api = client(gitlab);
    const opened = await api.MergeRequests.all({
      projectId: 7,
      state: 'opened',
      orderBy: 'title' as never,
      sort: 'asc',
    });
    expect(opened.map((mr) => mr.iid)).toEqual([2, 1]);
    const refused = await fetch(`${gitlab.url}/api/v4/projects/7/merge_requests?state=open`, {
      headers: { 'private-token': gitlab.token },
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: 'state does not have a valid value' });
  });

  it('refuses a filter it does not apply rather than answering the whole list', async () => {
    await using gitlab = await seeded();
    gitlab.addMergeRequest(7, { iid: 1, title: 'a', source_branch: 'f1', sha: 's1' });
    const api = client(gitlab);
    expect(await statusOf(api.MergeRequests.all({ projectId: 7, labels: 'bug' }))).toBe(400);
    expect(await statusOf(api.MergeRequests.all({ projectId: 7, search: 'a' }))).toBe(400);
    expect(await api.MergeRequests.all({ projectId: 7, iids: [1], perPage: 100 })).toHaveLength(1);
  });
});
