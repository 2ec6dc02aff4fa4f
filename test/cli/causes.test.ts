import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { PROJECT_ID, startWorld } from '../support/world.js';

/** Errors name the real cause, in words for whoever reads the CLI: the operator or a CI log. */
describe('errors that name the real cause', () => {
  it('a project that does not exist is named as such, not as a missing merge request', async () => {
    await using world = await startWorld();
    const result = await cli(world, ['launch', '2'], { GITLAB_PROJECT: 'acme/no-such-project' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('GitLab has no project acme/no-such-project');
    expect(result.stderr).toContain('GITLAB_PROJECT');
    expect(result.stderr).not.toContain('merge request !2');
  });

  it('a registry repository that does not exist is named, with those there are', async () => {
    await using world = await startWorld();
    world.gitlab.addRegistryRepository(PROJECT_ID, { id: 99, path: 'acme/shop/worker' });
    world.addMergeRequest(3);
    const result = await cli(world, ['launch', '3'], { REGISTRY_REPOSITORY: 'acme/shop/api' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The container registry has no repository acme/shop/api');
    expect(result.stderr).toMatch(/it has .*acme\/shop\/worker/);
    expect(result.stderr).toContain('REGISTRY_REPOSITORY');
  });

  it('a refused GitLab token names GITLAB_TOKEN and does not promise that anyone was told', async () => {
    await using world = await startWorld();
    world.addMergeRequest(4);
    const result = await cli(world, ['launch', '4'], { GITLAB_TOKEN: 'glpat-wrong-token' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('GITLAB_TOKEN');
    expect(result.stderr).not.toMatch(/has been told/);
    expect(result.stderr).toContain('read_api and read_registry');
  });

  it("a fork's registry out of reach: the CLI prints the asker's advice and the operator's fix, not the token's", async () => {
    await using world = await startWorld();
    world.addHiddenForkMergeRequest(5, 'e'.repeat(40));
    const result = await cli(world, ['launch', '5']);
    expect(result.code).toBe(1);
    const said = result.stderr.split('\n').find((line) => line.startsWith('Error: '));
    expect(said).toBe(
      "Error: This merge request comes from a fork (project 98), whose CI pushes its image to the fork's container registry, and the bot's GitLab token cannot read that registry (HTTP 404); acme/shop's own registry has no image for it either. " +
        "Someone with the Developer role in acme/shop can run the merge request's pipeline in acme/shop (Run pipeline, on its Pipelines tab), which pushes the image to acme/shop's registry; then launch again. " +
        "Give the bot's GitLab user (the owner of GITLAB_TOKEN) at least the Reporter role in the fork (project 98), or have merge requests from forks build their image in acme/shop, whose registry the bot also reads.",
    );
  });

  it('no AWS credentials at all is said so, not "AWS refused"', async () => {
    await using world = await startWorld();
    const home = await mkdtemp(join(tmpdir(), 'review-app-no-aws-'));
    const {
      AWS_ACCESS_KEY_ID: _key,
      AWS_SECRET_ACCESS_KEY: _secret,
      ...withoutCredentials
    } = world.env;
    // A process of its own: the SDK reads its credential chain from the real environment.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'list'], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        // Nothing may go looking for an instance role on the network.
        AWS_EC2_METADATA_DISABLED: 'true',
        ...withoutCredentials,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain('No AWS credentials were found');
    expect(stderr).not.toContain('AWS refused');
    expect(stderr).not.toContain('    at ');
  });
});
