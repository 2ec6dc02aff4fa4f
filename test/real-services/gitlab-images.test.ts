import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { PROJECT_ID, REGISTRY_ID, startWorld, type World } from '../support/world.js';

const HEAD = 'a'.repeat(40);
const MERGE_COMMIT = 'b'.repeat(40);

/** An open MR of `project` whose head pipeline built `pipelineSha`. */
function openMr(
  world: World,
  project: number,
  iid: number,
  options: { pipelineSha?: string; forkProjectId?: number } = {},
) {
  world.gitlab.addMergeRequest(project, {
    iid,
    title: `Feature ${iid}`,
    source_branch: `feature/${iid}`,
    sha: HEAD,
    head_pipeline: { id: 500 + iid, status: 'success', sha: options.pipelineSha ?? HEAD },
    ...(options.forkProjectId ? { source_project_id: options.forkProjectId } : {}),
  });
}

const image = (world: World) =>
  world.aws.callsTo('RegisterTaskDefinition')[0]?.containerDefinitions;

describe('registry paths are lower case', () => {
  it('finds the registry repository of a project whose path has capitals', async () => {
    await using world = await startWorld();
    world.gitlab.addProject({ id: 8, path: 'Acme/Storefront' });
    const repository = world.gitlab.addRegistryRepository(8, { id: 2 });
    expect(repository.path).toBe('acme/storefront');
    world.gitlab.addRegistryTag(8, 2, HEAD);
    openMr(world, 8, 3);
    const result = await cli(world, ['launch', '3'], { GITLAB_PROJECT: 'Acme/Storefront' });
    expect(result.code).toBe(0);
    expect(JSON.stringify(image(world))).toContain(`registry.example.test/acme/storefront:${HEAD}`);
  });

  it('matches REGISTRY_REPOSITORY whatever its case', async () => {
    await using world = await startWorld();
    world.gitlab.addRegistryRepository(PROJECT_ID, { id: 3, name: 'web' });
    world.gitlab.addRegistryTag(PROJECT_ID, 3, HEAD);
    openMr(world, PROJECT_ID, 4);
    const result = await cli(world, ['launch', '4'], { REGISTRY_REPOSITORY: 'Acme/Shop/Web' });
    expect(result.code).toBe(0);
    expect(JSON.stringify(image(world))).toContain(`registry.example.test/acme/shop/web:${HEAD}`);
  });
});

describe('merged-results pipelines', () => {
  it('finds the image tagged with the merge commit the head pipeline built', async () => {
    await using world = await startWorld();
    world.gitlab.addRegistryTag(PROJECT_ID, REGISTRY_ID, MERGE_COMMIT);
    openMr(world, PROJECT_ID, 5, { pipelineSha: MERGE_COMMIT });
    const result = await cli(world, ['launch', '5']);
    expect(result.code).toBe(0);
    expect(JSON.stringify(image(world))).toContain(`acme/shop:${MERGE_COMMIT}`);
  });

  it('names every tag it looked for when none is found', async () => {
    await using world = await startWorld();
    openMr(world, PROJECT_ID, 6, { pipelineSha: MERGE_COMMIT });
    const result = await cli(world, ['launch', '6']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`looked for tags "${HEAD}", "${MERGE_COMMIT}"`);
  });

  it('offers {pipeline_sha} as a placeholder', async () => {
    await using world = await startWorld();
    world.gitlab.addRegistryTag(PROJECT_ID, REGISTRY_ID, `mr-${MERGE_COMMIT.slice(0, 8)}`);
    openMr(world, PROJECT_ID, 7, { pipelineSha: MERGE_COMMIT });
    const template = { IMAGE_TAG_TEMPLATE: 'mr-{pipeline_sha}' };
    // A whole sha does not fit the pushed tag; the template decides what is looked for.
    expect((await cli(world, ['launch', '7'], template)).stderr).toContain(
      `looked for tag "mr-${MERGE_COMMIT}"`,
    );
  });
});

describe('merge requests from forks', () => {
  it("finds the image in the fork's registry, where the fork's CI pushed it", async () => {
    await using world = await startWorld();
    world.gitlab.addProject({ id: 99, path: 'alice/shop' });
    world.gitlab.addRegistryRepository(99, { id: 9 });
    world.gitlab.addRegistryTag(99, 9, HEAD);
    openMr(world, PROJECT_ID, 8, { forkProjectId: 99 });
    const result = await cli(world, ['launch', '8']);
    expect(result.code).toBe(0);
    expect(JSON.stringify(image(world))).toContain(`registry.example.test/alice/shop:${HEAD}`);
  });

  it("says exactly that the token cannot read the fork's registry, and gives the fork's fix", async () => {
    await using world = await startWorld();
    world.gitlab.addProject({ id: 98, path: 'mallory/shop', hidden: true });
    openMr(world, PROJECT_ID, 9, { forkProjectId: 98 });
    const result = await cli(world, ['launch', '9']);
    expect(result.code).toBe(1);
    const said = errorLine(result.stderr);
    expect(said).toContain(
      "comes from a fork (project 98), whose CI pushes its image to the fork's container registry, and the bot's GitLab token cannot read that registry",
    );
    // The fork's fix, not the one for a refused token.
    expect(said).toContain(
      "Give the bot's GitLab user (the owner of GITLAB_TOKEN) at least the Reporter role in the fork (project 98), or have merge requests from forks build their image in acme/shop",
    );
    expect(said).not.toContain('read_api and read_registry');
    expect(world.aws.callsTo('RunTask')).toHaveLength(0);
  });

  it('logs the hidden fork as a fork out of reach, not as a wrong GITLAB_PROJECT', async () => {
    await using world = await startWorld();
    world.gitlab.addProject({ id: 98, path: 'mallory/shop', hidden: true });
    openMr(world, PROJECT_ID, 10, { forkProjectId: 98 });
    const logs = logLines(
      (await cli(world, ['launch', '10', '--log-format', 'json'])).stderr,
    ).filter((l) => l.level !== 'info');
    expect(logs.map((l) => l.message)).toEqual([
      "GitLab token cannot read a fork's container registry",
    ]);
    expect(logs[0]).toMatchObject({ level: 'error', fork: 98, status: 404 });
    expect(logs[0]?.hint).toContain('at least the Reporter role in the fork (project 98)');
  });

  it("launches the image a pipeline run in the project built for a fork's MR", async () => {
    await using world = await startWorld();
    world.gitlab.addProject({ id: 98, path: 'mallory/shop', hidden: true });
    // A member ran the MR's pipeline in acme/shop: it pushed to acme/shop's registry.
    world.gitlab.addRegistryTag(PROJECT_ID, REGISTRY_ID, HEAD);
    openMr(world, PROJECT_ID, 11, { forkProjectId: 98 });
    const result = await cli(world, ['launch', '11', '--log-format', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.stringify(image(world))).toContain(`registry.example.test/acme/shop:${HEAD}`);
    expect(logLines(result.stderr).filter((l) => l.level === 'error')).toEqual([]);
  });

  it('names both registries when neither has the image', async () => {
    await using world = await startWorld();
    world.gitlab.addProject({ id: 97, path: 'bob/shop' });
    world.gitlab.addRegistryRepository(97, { id: 7 });
    openMr(world, PROJECT_ID, 12, { forkProjectId: 97 });
    const result = await cli(world, ['launch', '12']);
    expect(result.code).toBe(1);
    expect(errorLine(result.stderr)).toContain(
      `looked for tag "${HEAD}" in the fork's registry and the project's`,
    );
  });
});

/** The line the CLI printed for its reader (the rest of stderr is the JSON log). */
function errorLine(stderr: string): string {
  return stderr.split('\n').find((line) => line.startsWith('Error: ')) ?? '';
}

function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
