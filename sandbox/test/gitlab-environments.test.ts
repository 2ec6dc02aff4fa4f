import { GitbeakerRequestError, Gitlab } from '@gitbeaker/rest';
import { describe, expect, it } from 'vitest';
import { type GitLabStandIn, startGitLabStandIn } from '../src/gitlab.js';

async function seeded(): Promise<GitLabStandIn> {
  const gitlab = await startGitLabStandIn();
  gitlab.addProject({ id: 7, path: 'acme/shop' });
  gitlab.setTokenScopes(['api']);
  return gitlab;
}

const client = (gitlab: GitLabStandIn) => new Gitlab({ host: gitlab.url, token: gitlab.token });

/** The status GitLab refused a request with, and the `message` of its answer. */
async function refusal(promise: Promise<unknown>): Promise<{ status?: number; message: unknown }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GitbeakerRequestError);
    const cause = (error as GitbeakerRequestError).cause as
      | { response?: Response; description?: string }
      | undefined;
    // gitbeaker keeps the answer's `message`, serialised when it is an object.
    const description = cause?.description ?? '';
    return {
      status: cause?.response?.status,
      message: description.startsWith('{') ? JSON.parse(description) : description,
    };
  }
  throw new Error('expected GitLab to refuse the request');
}

describe('GitLab stand-in: environments stop as GitLab stops them', () => {
  it('stops an environment without an on_stop job at once', async () => {
    await using gitlab = await seeded();
    const api = client(gitlab);
    const created = await api.Environments.create(7, 'review/mr-5', { externalUrl: 'http://a' });
    expect(await api.Environments.stop(7, created.id)).toMatchObject({ state: 'stopped' });
    // Stopping again changes nothing and is no error.
    expect(await api.Environments.stop(7, created.id)).toMatchObject({ state: 'stopped' });
  });

  it('keeps one whose deploy job has on_stop in stopping until that job ends', async () => {
    await using gitlab = await seeded();
    const api = client(gitlab);
    const env = gitlab.deployWithStopAction(7, 'review/mr-5', 'http://a');
    expect(await api.Environments.stop(7, env.id)).toMatchObject({ state: 'stopping' });
    expect(await api.Environments.all(7, { states: 'stopping' })).toHaveLength(1);
    expect(await api.Environments.all(7, { states: 'available' })).toHaveLength(0);
    expect((await refusal(api.Environments.remove(7, env.id))).status).toBe(403);
    expect(await api.Environments.stop(7, env.id)).toMatchObject({ state: 'stopping' });

    expect(gitlab.finishStopJob(7, 'review/mr-5', 'success').state).toBe('stopped');
    await api.Environments.remove(7, env.id);
    expect(gitlab.environments(7)).toEqual([]);
  });

  it('brings it back to available when the on_stop job fails', async () => {
    await using gitlab = await seeded();
    const api = client(gitlab);
    const env = gitlab.deployWithStopAction(7, 'review/mr-5');
    await api.Environments.stop(7, env.id);
    expect(gitlab.finishStopJob(7, 'review/mr-5', 'failed').state).toBe('available');
  });

  it('with force=true skips the on_stop job, also from stopping, and again on a stopped one', async () => {
    await using gitlab = await seeded();
    const api = client(gitlab);
    const direct = gitlab.deployWithStopAction(7, 'review/mr-5');
    expect(await api.Environments.stop(7, direct.id, { force: 'true' })).toMatchObject({
      state: 'stopped',
    });
    const waiting = gitlab.deployWithStopAction(7, 'review/mr-6');
    await api.Environments.stop(7, waiting.id);
    expect(await api.Environments.stop(7, waiting.id, { force: 'true' })).toMatchObject({
      state: 'stopped',
    });
    expect(await api.Environments.stop(7, waiting.id, { force: 'true' })).toMatchObject({
      state: 'stopped',
    });
  });
});

describe('GitLab stand-in: environment URLs are checked as GitLab checks them', () => {
  it('refuses name and search together, as GitLab does', async () => {
    await using gitlab = await seeded();
    const api = client(gitlab);
    await api.Environments.create(7, 'review/mr-1');
    // gitbeaker's types forbid the pair already; sent anyway, as a hand-made request would.
    const both = { name: 'review/mr-1', search: 'review' } as unknown as { name: string };
    expect(await refusal(api.Environments.all(7, both))).toEqual({
      status: 400,
      message: 'name, search are mutually exclusive',
    });
    expect(await api.Environments.all(7, { name: 'review/mr-1' })).toHaveLength(1);
  });

  it('keeps any http(s) URL, and stores a blank one as none', async () => {
    await using gitlab = await seeded();
    const api = client(gitlab);
    const env = await api.Environments.create(7, 'review/mr-5', {
      externalUrl: 'http://203.0.113.9:3000',
    });
    expect(env.external_url).toBe('http://203.0.113.9:3000');
    expect((await api.Environments.edit(7, env.id, { externalUrl: '' })).external_url).toBeNull();
  });

  it('refuses javascript:, data: and vbscript: URLs with 400 and the field named', async () => {
    await using gitlab = await seeded();
    const api = client(gitlab);
    expect(
      await refusal(
        api.Environments.create(7, 'review/mr-5', { externalUrl: 'JavaScript:alert(1)' }),
      ),
    ).toEqual({ status: 400, message: { external_url: ['javascript scheme is not allowed'] } });
    expect(gitlab.environments(7)).toEqual([]);

    const env = await api.Environments.create(7, 'review/mr-5', { externalUrl: 'https://a' });
    expect(
      await refusal(api.Environments.edit(7, env.id, { externalUrl: 'data:text/html,<b>x</b>' })),
    ).toEqual({ status: 400, message: { external_url: ['data scheme is not allowed'] } });
    expect(gitlab.environments(7)[0]?.external_url).toBe('https://a');
  });

  it('refuses a URL over 255 characters, and one Addressable cannot parse', async () => {
    await using gitlab = await seeded();
    const api = client(gitlab);
    const long = `http://example.com/${'a'.repeat(237)}`;
    expect(long).toHaveLength(256);
    expect(await refusal(api.Environments.create(7, 'review/mr-5', { externalUrl: long }))).toEqual(
      {
        status: 400,
        message: { external_url: ['is too long (maximum is 255 characters)'] },
      },
    );
    expect(
      (await api.Environments.create(7, 'review/mr-5', { externalUrl: long.slice(0, 255) }))
        .external_url,
    ).toHaveLength(255);
    expect(
      await refusal(api.Environments.create(7, 'review/mr-6', { externalUrl: 'http://a:port/' })),
    ).toEqual({ status: 400, message: { external_url: ['URI is invalid'] } });
  });
});

describe('GitLab stand-in: environment lists and deployments as GitLab answers them', () => {
  it('searches names by their start, case aside, and refuses a search under 3 characters or an unknown state', async () => {
    await using gitlab = await seeded();
    const api = client(gitlab);
    await api.Environments.create(7, 'review/mr-5');
    await api.Environments.create(7, 'staging/review/mr-6');
    const found = await api.Environments.all(7, { search: 'REVIEW/mr-' });
    expect(found.map((e) => e.name)).toEqual(['review/mr-5']);
    expect((await refusal(api.Environments.all(7, { search: 're' }))).status).toBe(400);
    expect((await refusal(api.Environments.all(7, { states: 'gone' as never }))).status).toBe(400);
  });

  it('a successful deployment starts a stopped environment and keeps its deployments; deleting it deletes them', async () => {
    await using gitlab = await seeded();
    gitlab.addMergeRequest(7, { iid: 5, title: 'T', source_branch: 'feature/5', sha: 'abc' });
    const api = client(gitlab);
    const env = gitlab.deployWithStopAction(7, 'review/mr-5', 'http://a');
    await api.Environments.stop(7, env.id, { force: 'true' });
    await api.Deployments.create(7, 'review/mr-5', 'abc', 'feature/5', false, {
      status: 'success',
    });
    expect(gitlab.environments(7)).toMatchObject([{ name: 'review/mr-5', state: 'available' }]);
    expect(gitlab.deployments(7, 'review/mr-5')).toHaveLength(2);
    // Its last deployment has no CI job: stopping it runs no on_stop job.
    expect(await api.Environments.stop(7, env.id)).toMatchObject({ state: 'stopped' });
    await api.Environments.remove(7, env.id);
    expect(gitlab.deployments(7, 'review/mr-5')).toEqual([]);
  });

  it('refuses a deployment of a ref the project does not have, or without a status', async () => {
    await using gitlab = await seeded();
    const api = client(gitlab);
    const noRef = await refusal(
      api.Deployments.create(7, 'review/mr-5', 'abc', 'nowhere', false, { status: 'success' }),
    );
    expect(noRef).toEqual({
      status: 400,
      message: { ref: ['The branch or tag does not exist'] },
    });
    expect(
      (await refusal(api.Deployments.create(7, 'review/mr-5', 'abc', 'main', false))).status,
    ).toBe(400);
    expect(gitlab.environments(7)).toEqual([]);
  });
});
