import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { API_PROJECT, addApiProject, projectFile, TWO_PROJECTS } from '../support/projects.js';
import { PROJECT_PATH, startWorld, taskTags, type World } from '../support/world.js';

type Json = Record<string, unknown>;

/** acme/shop and acme/api, each with an open MR that has an image, served from one file. */
async function twoProjects() {
  const world = await startWorld();
  const api = addApiProject(world);
  const shop = world.addMergeRequest(42, { title: 'Checkout page' });
  const apiMr = api.addMergeRequest(5, 'Rate limits');
  const file = projectFile(TWO_PROJECTS);
  return {
    world,
    shop,
    api: apiMr,
    run: (argv: string[], env: Record<string, string> = {}) =>
      cli(world, argv, { ...file.env, ...env }),
    async [Symbol.asyncDispose]() {
      file[Symbol.dispose]();
      await world[Symbol.asyncDispose]();
    },
  };
}

/** The project and image of every task ECS was asked to run. */
function launched(world: World) {
  return world.aws.callsTo('RunTask').map((run) => {
    const tags = Object.fromEntries(
      (run.tags as { key: string; value: string }[]).map((t) => [t.key, t.value]),
    );
    return { project: tags['review-app:project'], mr: tags['review-app:mr'] };
  });
}

describe('the CLI with several projects (REVIEW_APP_CONFIG)', () => {
  it.each([
    ['acme/api!5', []],
    ['api!5', []],
    ['5', ['--project', 'acme/api']],
    ['!5', ['--project', 'api']],
  ])("launches %s %j with that project's task definition and image", async (mr, flags) => {
    await using setup = await twoProjects();
    const result = await setup.run(['launch', mr, ...flags, '--wait']);
    expect(result.stderr).toContain('Merge request !5: Rate limits');
    expect(result.code).toBe(0);
    expect(result.lines.at(-1)).toMatch(/^http:\/\/[0-9.]+:3000$/);
    const [register] = setup.world.aws.callsTo('RegisterTaskDefinition');
    expect(register?.family).toBe(`${API_PROJECT.family}-review-app`);
    const containers = register?.containerDefinitions as Json[];
    expect(containers.find((c) => c.name === 'web')?.image).toBe(setup.api.image);
    expect(launched(setup.world)).toEqual([{ project: API_PROJECT.path, mr: '5' }]);
  });

  it("picks the project from an MR's URL", async () => {
    await using setup = await twoProjects();
    const url = `${setup.world.gitlab.url}/${PROJECT_PATH}/-/merge_requests/42`;
    const result = await setup.run(['launch', url]);
    expect(result.code).toBe(0);
    expect(launched(setup.world)).toEqual([{ project: PROJECT_PATH, mr: '42' }]);
    expect(setup.world.aws.callsTo('RegisterTaskDefinition')[0]?.family).toBe(
      'shop-web-review-app',
    );
  });

  it("in a CI job, the job's own project (CI_PROJECT_PATH) when nothing else names one", async () => {
    await using setup = await twoProjects();
    const result = await setup.run(['launch', '5'], { CI_PROJECT_PATH: API_PROJECT.path });
    expect(result.code).toBe(0);
    expect(launched(setup.world)).toEqual([{ project: API_PROJECT.path, mr: '5' }]);
    // What the command names wins over the job's project.
    const shop = await setup.run(['launch', 'shop!42'], { CI_PROJECT_PATH: API_PROJECT.path });
    expect(shop.code).toBe(0);
    expect(launched(setup.world).at(-1)).toEqual({ project: PROJECT_PATH, mr: '42' });
  });

  it('exits 2 with one line naming the projects and how to pick one when nothing names one', async () => {
    await using setup = await twoProjects();
    const result = await setup.run(['launch', '5']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'Error: Several projects are served (acme/shop, acme/api): name one, as in shop!5 or 5 --project shop.',
    ]);
    expect(setup.world.aws.callsTo('RunTask')).toEqual([]);
  });

  it.each([
    [['launch', '5', '--project', 'acme/blog'], '--project acme/blog is not a project'],
    [['launch', 'acme/blog!5'], '"acme/blog" is not a project this bot serves'],
    [['stop', 'blog!5'], '"blog" is not a project this bot serves'],
  ])(
    'exits 2 for a project the file does not list (%j), naming those it serves',
    async (argv, said) => {
      await using setup = await twoProjects();
      const result = await setup.run(argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(said);
      expect(result.stderr).toContain('acme/shop, acme/api');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    },
  );

  it("exits 2 when the CI job's project is not one the file lists", async () => {
    await using setup = await twoProjects();
    const result = await setup.run(['launch', '5'], { CI_PROJECT_PATH: 'acme/blog' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      "Error: This CI job's project acme/blog (CI_PROJECT_PATH) is not one this bot serves (acme/shop, acme/api): name one, as in shop!5 or 5 --project shop.",
    );
  });

  it('exits 2 when --project and the reference name different projects', async () => {
    await using setup = await twoProjects();
    const result = await setup.run(['launch', 'acme/shop!42', '--project', 'api']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'Error: --project api and acme/shop!42 name different projects: give only one of them.',
    );
    expect(setup.world.aws.callsTo('RunTask')).toEqual([]);
    // The same project twice is no contradiction.
    expect((await setup.run(['launch', 'acme/shop!42', '--project', 'shop'])).code).toBe(0);
  });

  it("lists every project's apps from one ECS listing, naming each app's project, and stops one", async () => {
    await using setup = await twoProjects();
    expect((await setup.run(['launch', 'shop!42', '--wait'])).code).toBe(0);
    expect((await setup.run(['launch', 'api!5', '--wait'])).code).toBe(0);

    const before = setup.world.aws.operations().length;
    const listed = await setup.run(['list']);
    expect(listed.code).toBe(0);
    expect(listed.lines.map((line) => line.split('\t')[0]).sort()).toEqual(['api!5', 'shop!42']);
    const calls = setup.world.aws.operations().slice(before);
    expect(calls.filter((op) => op === 'ListTasks')).toHaveLength(1);

    const json = JSON.parse((await setup.run(['list', '--json'])).stdout) as Json[];
    expect(json.map((app) => [app.project, app.mr]).sort()).toEqual([
      [API_PROJECT.path, 5],
      [PROJECT_PATH, 42],
    ]);

    const stopped = await setup.run(['stop', '5', '--project', 'api']);
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain('Stopped the review app of !5.');
    const [stop] = setup.world.aws.callsTo('StopTask');
    const api = setup.world.aws
      .tasks()
      .find(
        (task) =>
          taskTags(setup.world.aws, task.taskArn)['review-app:project'] === API_PROJECT.path,
      );
    expect(stop?.task).toBe(api?.taskArn);
    const after = await setup.run(['list']);
    expect(after.lines.map((line) => line.split('\t')[0])).toEqual(['shop!42']);
  });

  it("reads the logs of the app of the project named, as its own project's engine finds it", async () => {
    await using setup = await twoProjects();
    expect((await setup.run(['launch', 'api!5', '--wait'])).code).toBe(0);
    const task = setup.world.aws.tasks()[0];
    setup.world.aws.containerLog(task?.taskArn as string, 'web', ['api listening on 3000']);

    const logs = await setup.run(['logs', '5', '--project', 'api']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('api listening on 3000');
    const unnamed = await setup.run(['logs', '5']);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('Several projects are served');
  });

  it('with one project in the file, 42 means that project, and the list names none', async () => {
    await using world = await startWorld();
    world.addMergeRequest(42);
    using file = projectFile(
      ['projects:', '  acme/shop:', '    ECS_TASK_DEFINITION: shop-web'].join('\n'),
    );
    expect((await cli(world, ['launch', '42', '--wait'], file.env)).code).toBe(0);
    const listed = await cli(world, ['list'], file.env);
    expect(listed.lines.map((line) => line.split('\t')[0])).toEqual(['!42']);
  });

  it('names every problem of the file at once, exit 2', async () => {
    await using world = await startWorld();
    using file = projectFile(['projects:', '  acme/shop:', '    REVIEW_APP_TTL: soon'].join('\n'));
    const result = await cli(world, ['list'], file.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ECS_TASK_DEFINITION');
    expect(result.stderr).toContain('REVIEW_APP_TTL');
    expect(result.stderr).not.toContain('    at ');
  });
});

describe('--project without a file', () => {
  it('is checked against the one project of the environment', async () => {
    await using world = await startWorld();
    world.addMergeRequest(42);
    const other = await cli(world, ['launch', '42', '--project', 'acme/api']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(
      '--project acme/api is not a project this bot serves: it serves acme/shop.',
    );
    expect((await cli(world, ['launch', 'shop!42', '--project', 'acme/shop'])).code).toBe(0);
  });
});
