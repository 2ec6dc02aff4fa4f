import { startSlackStandIn } from '@review-app-bot/sandbox';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/config.js';
import { cli } from '../support/cli.js';
import { API_PROJECT, addApiProject, projectFile, TWO_PROJECTS } from '../support/projects.js';
import { startWorld, type World } from '../support/world.js';

/** Nothing the doctor does may change a service: only reads. */
const WRITES =
  /^(RunTask|StopTask|RegisterTaskDefinition|DeregisterTaskDefinition|TagResource|UntagResource)$/;

/** The doctor over review-apps.yml: its output split into the shared section and each project's. */
async function doctor(world: World, file: string, env: Env = {}) {
  using config = projectFile(file);
  const result = await cli(world, ['doctor'], { ...config.env, ...env });
  const sections = new Map<string, string[]>();
  let heading = '';
  const lines = result.stdout.trim().split('\n');
  for (const line of lines.slice(0, -1)) {
    if (line === '') continue;
    if (/^[✓✗] /.test(line)) sections.get(heading)?.push(line);
    else {
      heading = line;
      sections.set(heading, []);
    }
  }
  const names = (heading: string) => sections.get(heading)?.map((l) => l.slice(2, l.indexOf(':')));
  return { ...result, sections, names, summary: lines.at(-1) };
}

const PROJECT_CHECKS = [
  'GitLab project',
  'Registry repository',
  'Image of an open MR',
  'Base task definition',
  'App container',
  'Review family',
  'Subnets',
  'Security groups',
  'One VPC',
];

describe('review-app doctor with several projects', () => {
  it('checks what the projects share once, then every project under its own heading', async () => {
    await using world = await startWorld();
    await using slack = await startSlackStandIn();
    addApiProject(world).addMergeRequest(5);
    world.addMergeRequest(42);
    const result = await doctor(world, TWO_PROJECTS, {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.apiUrl,
    });
    expect([...result.sections.keys()]).toEqual([
      'Shared by every project:',
      'acme/shop:',
      'acme/api:',
    ]);
    expect(result.names('Shared by every project:')).toEqual([
      'GitLab token',
      'ECS cluster',
      'Slack bot token',
      'Slack app token',
    ]);
    expect(result.names('acme/shop:')).toEqual(PROJECT_CHECKS);
    expect(result.names('acme/api:')).toEqual(PROJECT_CHECKS);
    expect(result.sections.get('acme/api:')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^✓ GitLab project: acme\/api \(id 8\) found\.$/),
        expect.stringMatching(/^✓ Image of an open MR: !5: registry\.example\.test\/acme\/api:/),
        expect.stringMatching(/^✓ Base task definition: api-web:1 is a Fargate task definition/),
        '✓ Review family: Review apps are registered as api-web-review-app, apart from api-web.',
      ]),
    );
    expect(result.summary).toBe('All 22 checks passed.');
    expect(result.code).toBe(0);
    // The cluster is read once for both projects.
    expect(world.aws.operations().filter((op) => op === 'DescribeClusters')).toHaveLength(1);
    expect(world.aws.operations().filter((op) => WRITES.test(op))).toEqual([]);
    expect(world.gitlab.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it("names each project's own problem under that project: its task definition, its role", async () => {
    await using world = await startWorld();
    addApiProject(world);
    world.gitlab.setTokenScopes(['api', 'read_registry']);
    world.gitlab.setTokenRole('reporter');
    const file = [
      'projects:',
      '  acme/shop:',
      '    ECS_TASK_DEFINITION: shop-web',
      `  ${API_PROJECT.path}:`,
      '    ECS_TASK_DEFINITION: api-gone',
      '    GITLAB_ENVIRONMENTS: true',
    ].join('\n');
    const result = await doctor(world, file);
    expect(result.code).toBe(1);
    expect(result.sections.get('acme/shop:')?.filter((l) => l.startsWith('✗'))).toEqual([]);
    expect(result.sections.get('acme/api:')?.filter((l) => l.startsWith('✗'))).toEqual([
      expect.stringMatching(
        /^✗ GitLab role: The token's user is a Reporter in acme\/api, and GITLAB_ENVIRONMENTS needs at least Developer/,
      ),
      expect.stringMatching(/^✗ Base task definition: ECS has no task definition api-gone/),
    ]);
    expect(result.summary).toBe('2 checks of 19 failed.');
  });

  it('a project the token cannot see fails under its heading; the others still pass', async () => {
    await using world = await startWorld();
    world.addMergeRequest(42);
    const file = [
      'projects:',
      '  acme/shop:',
      '    ECS_TASK_DEFINITION: shop-web',
      '  acme/secret:',
      '    ECS_TASK_DEFINITION: shop-web',
    ].join('\n');
    const result = await doctor(world, file);
    expect(result.code).toBe(1);
    expect(result.sections.get('acme/secret:')?.filter((l) => l.startsWith('✗'))).toEqual([
      expect.stringMatching(/^✗ GitLab project: /),
    ]);
    expect(result.sections.get('acme/shop:')?.every((l) => l.startsWith('✓'))).toBe(true);
  });

  it('a wrong token is named once, and each project still gets its AWS checks', async () => {
    await using world = await startWorld();
    addApiProject(world);
    const result = await doctor(world, TWO_PROJECTS, { GITLAB_TOKEN: 'glpat-wrong' });
    expect(result.code).toBe(1);
    expect(result.sections.get('Shared by every project:')?.[0]).toMatch(
      /^✗ GitLab token: .*refused GITLAB_TOKEN/,
    );
    expect(result.names('acme/api:')).toEqual(PROJECT_CHECKS.slice(3));
    expect(result.stdout).not.toContain('glpat-wrong');
  });

  it("checks the shared load balancer once, against every project's subnets", async () => {
    await using world = await startWorld();
    addApiProject(world);
    const { listenerArn } = world.aws.addLoadBalancer();
    world.aws.addSubnet({ subnetId: 'subnet-0fedcba987654321f', vpcId: 'vpc-0ffffffffffffffff' });
    const file = `${TWO_PROJECTS}\n    ECS_SUBNETS: subnet-0fedcba987654321f`;
    const result = await doctor(world, file, {
      LOAD_BALANCER_LISTENER_ARN: listenerArn,
      REVIEW_APP_DOMAIN: 'review.example.com',
      // One listener for both: each project's apps need names of their own.
      REVIEW_APP_HOST_TEMPLATE: '{project}-mr-{mr}.{domain}',
    });
    const shared = result.sections.get('Shared by every project:') ?? [];
    expect(result.names('Shared by every project:')).toEqual([
      'GitLab token',
      'ECS cluster',
      'Load balancer listener',
      'Load balancer certificate',
      'Load balancer VPC',
      'Task security groups',
      'Load balancer room',
      'Load balancer leftovers',
    ]);
    // Every project's names are checked against the one listener's certificate.
    expect(shared[3]).toMatch(
      /^✓ Load balancer certificate: \*\.review\.example\.com \(issued, valid until \d{4}-\d\d-\d\d\) covers shop-mr-42\.review\.example\.com, api-mr-42\.review\.example\.com\.$/,
    );
    expect(shared[4]).toMatch(
      /^✗ Load balancer VPC: ECS_SUBNETS subnet-0fedcba987654321f are outside the load balancer's VPC/,
    );
    for (const project of ['acme/shop:', 'acme/api:'])
      expect(result.names(project)?.filter((name) => name.startsWith('Load balancer'))).toEqual([]);
    expect(result.code).toBe(1);
  });

  it('answers with a structure per project with --json', async () => {
    await using world = await startWorld();
    addApiProject(world);
    using config = projectFile(
      TWO_PROJECTS.replace('ECS_TASK_DEFINITION: api-web', 'ECS_TASK_DEFINITION: api-gone'),
    );
    const result = await cli(world, ['doctor', '--json'], config.env);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      shared: { name: string; ok: boolean }[];
      projects: { project: string; ok: boolean; checks: { name: string; ok: boolean }[] }[];
    };
    expect(report.ok).toBe(false);
    expect(report.shared.map((c) => c.name)).toEqual(['GitLab token', 'ECS cluster']);
    expect(report.projects.map((p) => [p.project, p.ok])).toEqual([
      ['acme/shop', true],
      ['acme/api', false],
    ]);
    expect(report.projects[1]?.checks.find((c) => !c.ok)?.name).toBe('Base task definition');
  });

  it('a file with a problem: one line naming where to fix it, exit 2', async () => {
    await using world = await startWorld();
    const result = await doctor(
      world,
      ['projects:', '  acme/shop:', '    REVIEW_APP_TTL: 1h'].join('\n'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/projects\.acme\/shop: ECS_TASK_DEFINITION/);
    expect(result.stdout).toBe('');
  });
});
