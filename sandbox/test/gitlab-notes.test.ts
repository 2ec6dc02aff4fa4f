import { describe, expect, it } from 'vitest';
import { type GitLabStandIn, startGitLabStandIn } from '../src/gitlab.js';

async function seeded(visibility: 'private' | 'public' = 'private'): Promise<GitLabStandIn> {
  const gitlab = await startGitLabStandIn();
  gitlab.addProject({ id: 7, path: 'acme/shop', visibility });
  gitlab.addMergeRequest(7, { iid: 42, title: 'Checkout', source_branch: 'checkout', sha: 'a1' });
  gitlab.setTokenScopes(['api']);
  return gitlab;
}

/** One request as gitbeaker sends it: JSON body, PRIVATE-TOKEN header. */
async function send(
  gitlab: GitLabStandIn,
  method: 'POST' | 'PUT' | 'GET',
  path: string,
  body?: Record<string, unknown>,
): Promise<{ status: number; answer: Record<string, unknown> }> {
  const response = await fetch(`${gitlab.url}/api/v4${path}`, {
    method,
    headers: { 'private-token': gitlab.token, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, answer: (await response.json()) as Record<string, unknown> };
}

const NOTES = '/projects/7/merge_requests/42/notes';

describe('GitLab stand-in: merge request notes as GitLab writes them', () => {
  it('creates a note (201, the note with its author and MR) and edits it in place (200)', async () => {
    await using gitlab = await seeded();
    const created = await send(gitlab, 'POST', NOTES, { body: 'Review app running' });
    expect(created.status).toBe(201);
    expect(created.answer).toMatchObject({
      body: 'Review app running',
      system: false,
      noteable_type: 'MergeRequest',
      noteable_iid: 42,
      project_id: 7,
      author: { username: 'review-app-bot' },
    });
    const edited = await send(gitlab, 'PUT', `${NOTES}/${created.answer.id}`, { body: 'ended' });
    expect(edited.status).toBe(200);
    expect(gitlab.notes(7, 42)).toMatchObject([{ id: created.answer.id, body: 'ended' }]);
  });

  it('answers 404 for an MR or a note it does not have, and records nothing', async () => {
    await using gitlab = await seeded();
    const noMr = await send(gitlab, 'POST', '/projects/7/merge_requests/99/notes', { body: 'x' });
    expect(noMr).toEqual({ status: 404, answer: { message: '404 MergeRequest Not Found' } });
    const noNote = await send(gitlab, 'PUT', `${NOTES}/12345`, { body: 'x' });
    expect(noNote).toEqual({ status: 404, answer: { message: '404 Not found' } });
    expect(gitlab.notes(7, 42)).toEqual([]);
  });

  it('refuses a token without the api scope with insufficient_scope (403)', async () => {
    await using gitlab = await seeded();
    gitlab.setTokenScopes(['read_api', 'read_registry']);
    const refused = await send(gitlab, 'POST', NOTES, { body: 'x' });
    expect(refused.status).toBe(403);
    expect(refused.answer).toMatchObject({ error: 'insufficient_scope', scope: 'api' });
    expect(gitlab.notes(7, 42)).toEqual([]);
  });

  it('hides the MR from a Guest of a private project (404), lets a Guest of a public one comment', async () => {
    await using gitlab = await seeded();
    gitlab.setTokenRole('guest');
    expect((await send(gitlab, 'POST', NOTES, { body: 'x' })).status).toBe(404);
    gitlab.setTokenRole('reporter');
    expect((await send(gitlab, 'POST', NOTES, { body: 'x' })).status).toBe(201);

    await using open = await seeded('public');
    open.setTokenRole('guest');
    expect((await send(open, 'POST', NOTES, { body: 'x' })).status).toBe(201);
  });

  it("refuses to edit another user's note (403)", async () => {
    await using gitlab = await seeded();
    const created = await send(gitlab, 'POST', NOTES, { body: 'mine' });
    gitlab.setTokenUser({ id: 78, username: 'someone', name: 'Someone' });
    const refused = await send(gitlab, 'PUT', `${NOTES}/${created.answer.id}`, { body: 'x' });
    expect(refused).toEqual({ status: 403, answer: { message: '403 Forbidden' } });
    expect(gitlab.notes(7, 42)).toMatchObject([{ body: 'mine' }]);
  });

  it('refuses a missing, empty or over-long body (400), at 1,000,000 characters', async () => {
    await using gitlab = await seeded();
    expect(await send(gitlab, 'POST', NOTES, {})).toEqual({
      status: 400,
      answer: { error: 'body is missing' },
    });
    const blank = await send(gitlab, 'POST', NOTES, { body: '' });
    expect(blank.status).toBe(400);
    expect(String(blank.answer.message)).toContain("can't be blank");
    const long = await send(gitlab, 'POST', NOTES, { body: 'x'.repeat(1_000_001) });
    expect(long.status).toBe(400);
    expect(String(long.answer.message)).toContain('maximum is 1000000 characters');
    const longest = await send(gitlab, 'POST', NOTES, { body: 'x'.repeat(1_000_000) });
    expect(longest.status).toBe(201);
    const empty = await send(gitlab, 'PUT', `${NOTES}/${longest.answer.id}`, { body: '' });
    expect(empty).toEqual({ status: 400, answer: { error: 'body is empty' } });
    expect(gitlab.notes(7, 42)).toHaveLength(1);
  });
});

describe('GitLab stand-in: roles', () => {
  it('tells the token user its role in GET /projects/:id', async () => {
    await using gitlab = await seeded();
    gitlab.setTokenRole('reporter');
    const project = await send(gitlab, 'GET', '/projects/7');
    expect(project.answer).toMatchObject({
      visibility: 'private',
      permissions: { project_access: { access_level: 20 }, group_access: null },
    });
  });

  it('refuses environment writes to a Reporter (403) though its token has the api scope', async () => {
    await using gitlab = await seeded();
    gitlab.setTokenRole('reporter');
    const refused = await send(gitlab, 'POST', '/projects/7/environments', {
      name: 'review/mr-42',
    });
    expect(refused).toEqual({ status: 403, answer: { message: '403 Forbidden' } });
    expect(gitlab.environments(7)).toEqual([]);
    gitlab.setTokenRole('developer');
    expect(
      (await send(gitlab, 'POST', '/projects/7/environments', { name: 'review/mr-42' })).status,
    ).toBe(201);
  });
});
