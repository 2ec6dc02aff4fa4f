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

  it("says exactly that the token cannot read the fork's registry", async () => {
    await using world = await startWorld();
    world.gitlab.addProject({ id: 98, path: 'mallory/shop', hidden: true });
    openMr(world, PROJECT_ID, 9, { forkProjectId: 98 });
    const result = await cli(world, ['launch', '9']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "comes from a fork (project 98), whose CI pushes its image to the fork's container registry, and the bot's GitLab token cannot read that registry",
    );
  });
});
