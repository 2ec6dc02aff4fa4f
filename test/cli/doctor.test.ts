import { startSlackStandIn } from '@review-app-bot/sandbox';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/config.js';
import { cli } from '../support/cli.js';
import { closedLoopbackUrl, UNRESOLVABLE_URL } from '../support/unreachable.js';
import { PROJECT_ID, startWorld, type World } from '../support/world.js';

async function doctor(world: World, env: Env = {}, json = false) {
  const result = await cli(world, ['doctor', ...(json ? ['--json'] : [])], env);
  const lines = result.stdout.trim().split('\n');
  return { ...result, lines, failed: lines.filter((l) => l.startsWith('✗')) };
}

/** Nothing the doctor does may change a service: only reads. */
const WRITES =
  /^(RunTask|StopTask|RegisterTaskDefinition|DeregisterTaskDefinition|TagResource|UntagResource)$/;

function expectNothingChanged(world: World) {
  expect(world.aws.operations().filter((op) => WRITES.test(op))).toEqual([]);
  expect(world.gitlab.requests.filter((r) => r.method !== 'GET')).toEqual([]);
}

describe('review-app doctor', () => {
  it('passes every check on a healthy setup, one ✓ line each, and changes nothing', async () => {
    await using world = await startWorld();
    await using slack = await startSlackStandIn();
    world.addMergeRequest(42);
    const result = await doctor(world, {
      ECS_CAPACITY_PROVIDER: 'FARGATE_SPOT',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.apiUrl,
    });
    expect(result.failed).toEqual([]);
    expect(result.code).toBe(0);
    const names = result.lines.slice(0, -1).map((l) => l.slice(2, l.indexOf(':')));
    expect(names).toEqual([
      'GitLab token',
      'GitLab project',
      'Registry repository',
      'Image of an open MR',
      'ECS cluster',
      'Fargate Spot',
      'Base task definition',
      'App container',
      'Review family',
      'Subnets',
      'Security groups',
      'One VPC',
      'Slack bot token',
      'Slack app token',
    ]);
    expect(result.lines.slice(0, -1).every((l) => l.startsWith('✓ '))).toBe(true);
    expect(result.lines.at(-1)).toBe('All 14 checks passed.');
    expect(result.stdout).toContain('!42: registry.example.test/acme/shop:');
    expect(world.aws.operations()).toEqual(
      expect.arrayContaining([
        'DescribeClusters',
        'DescribeTaskDefinition',
        'DescribeSubnets',
        'DescribeSecurityGroups',
      ]),
    );
    expectNothingChanged(world);
  });

  it('reads the project once, also when GITLAB_PROJECT is its numeric id', async () => {
    await using world = await startWorld();
    world.addMergeRequest(42);
    const result = await doctor(world, { GITLAB_PROJECT: String(PROJECT_ID) });
    expect(result.failed).toEqual([]);
    expect(result.stdout).toContain(`✓ GitLab project: acme/shop (id ${PROJECT_ID}) found.`);
    expect(result.stdout).toContain('✓ Registry repository: acme/shop found.');
    const projectReads = world.gitlab.requests.filter((r) => r.operation === 'GET /projects/:id');
    expect(projectReads).toHaveLength(1);
  });

  it('answers in JSON with --json', async () => {
    await using world = await startWorld();
    const result = await doctor(world, {}, true);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: { name: string; ok: boolean }[];
    };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toContain('ECS cluster');
    expect(result.code).toBe(0);
  });

  it('a wrong GitLab token: one ✗ line naming GITLAB_TOKEN, exit 1', async () => {
    await using world = await startWorld();
    const result = await doctor(world, { GITLAB_TOKEN: 'glpat-wrong' });
    expect(result.code).toBe(1);
    expect(result.failed).toEqual([
      expect.stringMatching(/^✗ GitLab token: .*refused GITLAB_TOKEN/),
    ]);
    expect(result.stdout).not.toContain('glpat-wrong');
  });

  it('a token without the scopes it needs is named with the missing scopes', async () => {
    await using world = await startWorld();
    world.gitlab.setTokenScopes(['read_api']);
    const result = await doctor(world);
    expect(result.code).toBe(1);
    expect(result.failed).toEqual([
      expect.stringMatching(/^✗ GitLab token: GITLAB_TOKEN lacks the scope read_registry/),
    ]);
  });

  it('with GITLAB_ENVIRONMENTS on, a read-only token is named as lacking the api scope', async () => {
    await using world = await startWorld();
    world.gitlab.setTokenScopes(['read_api', 'read_registry']);
    const result = await doctor(world, { GITLAB_ENVIRONMENTS: 'true' });
    expect(result.code).toBe(1);
    expect(result.failed).toEqual([
      expect.stringMatching(
        /^✗ GitLab token: GITLAB_TOKEN lacks the scope api .*create a token with api \(GITLAB_ENVIRONMENTS is on\)/,
      ),
    ]);
  });

  it('with GITLAB_MR_NOTES on, checks the api scope and a role allowed to comment', async () => {
    await using world = await startWorld();
    world.gitlab.setTokenScopes(['api', 'read_registry']);
    const result = await doctor(world, { GITLAB_MR_NOTES: 'true' });
    expect(result.failed).toEqual([]);
    expect(result.lines).toContain(
      "✓ GitLab role: The token's user is a Developer in acme/shop: enough for GITLAB_MR_NOTES.",
    );

    world.gitlab.setTokenScopes(['read_api', 'read_registry']);
    world.gitlab.setTokenRole('guest');
    const refused = await doctor(world, { GITLAB_MR_NOTES: 'true' });
    expect(refused.code).toBe(1);
    expect(refused.failed).toEqual([
      '✗ GitLab token: GITLAB_TOKEN lacks the scope api (it has read_api, read_registry): create a token with api (GITLAB_MR_NOTES is on) and read_registry.',
      "✗ GitLab role: The token's user is a Guest in acme/shop, and GITLAB_MR_NOTES needs at least Reporter: give that user the Reporter role in acme/shop (or create the token as a user who has it).",
    ]);
    expectNothingChanged(world);
  });

  it('with GITLAB_ENVIRONMENTS on, a Reporter with the api scope is named as lacking the Developer role', async () => {
    await using world = await startWorld();
    world.gitlab.setTokenScopes(['api', 'read_registry']);
    world.gitlab.setTokenRole('reporter');
    const result = await doctor(world, { GITLAB_ENVIRONMENTS: 'true', GITLAB_MR_NOTES: 'true' });
    expect(result.code).toBe(1);
    expect(result.lines).toContain(
      `✓ GitLab token: ${world.env.GITLAB_URL} answers; the token has api, read_registry.`,
    );
    expect(result.failed).toEqual([
      "✗ GitLab role: The token's user is a Reporter in acme/shop, and GITLAB_ENVIRONMENTS needs at least Developer: give that user the Developer role in acme/shop (or create the token as a user who has it).",
    ]);
  });

  it('names both fixes when the token lacks the api scope and its user the role', async () => {
    await using world = await startWorld();
    world.gitlab.setTokenScopes(['read_api', 'read_registry']);
    world.gitlab.setTokenRole('reporter');
    const result = await doctor(world, { GITLAB_ENVIRONMENTS: 'true', GITLAB_MR_NOTES: 'true' });
    expect(result.failed).toEqual([
      '✗ GitLab token: GITLAB_TOKEN lacks the scope api (it has read_api, read_registry): create a token with api (GITLAB_ENVIRONMENTS and GITLAB_MR_NOTES are on) and read_registry.',
      "✗ GitLab role: The token's user is a Reporter in acme/shop, and GITLAB_ENVIRONMENTS needs at least Developer: give that user the Developer role in acme/shop (or create the token as a user who has it).",
    ]);
  });

  it('a missing project', async () => {
    await using world = await startWorld();
    const result = await doctor(world, { GITLAB_PROJECT: 'acme/nothing' });
    expect(result.code).toBe(1);
    expect(result.failed).toEqual([
      expect.stringMatching(
        /^✗ GitLab project: GitLab has no project acme\/nothing.*GITLAB_PROJECT/,
      ),
    ]);
  });

  it('a wrong cluster', async () => {
    await using world = await startWorld();
    const result = await doctor(world, { ECS_CLUSTER: 'review-appz' });
    expect(result.code).toBe(1);
    expect(result.failed).toEqual([
      '✗ ECS cluster: ECS has no cluster review-appz in us-east-1: check ECS_CLUSTER and AWS_REGION.',
    ]);
  });

  it('a subnet in another VPC', async () => {
    await using world = await startWorld();
    world.aws.addSubnet({ subnetId: 'subnet-0fedcba9876543210', vpcId: 'vpc-0ffff0000aaaa1111' });
    const result = await doctor(world, {
      ECS_SUBNETS: `${world.env.ECS_SUBNETS},subnet-0fedcba9876543210`,
    });
    expect(result.code).toBe(1);
    expect(result.failed).toEqual([
      expect.stringMatching(/^✗ One VPC: .*subnet-0fedcba9876543210 in vpc-0ffff0000aaaa1111/),
    ]);
  });

  it("a load balancer certificate that does not cover the apps' names: ✗ naming the certificate to request", async () => {
    await using world = await startWorld();
    const { listenerArn } = world.aws.addLoadBalancer({
      certificate: { domainName: '*.example.com' },
    });
    const result = await doctor(world, {
      LOAD_BALANCER_LISTENER_ARN: listenerArn,
      REVIEW_APP_DOMAIN: 'review.example.com',
    });
    expect(result.failed).toEqual([
      '✗ Load balancer certificate: No certificate of the listener covers mr-42.review.example.com (it holds *.example.com; a wildcard covers one label only): request a wildcard certificate for *.review.example.com in ACM (validated by DNS, so that ACM renews it) and add it to the listener.',
    ]);
    expect(result.code).toBe(1);
    expect(world.aws.operations()).toContain('DescribeCertificate');
    expectNothingChanged(world);
  });

  it('a subnet that does not exist', async () => {
    await using world = await startWorld();
    const result = await doctor(world, { ECS_SUBNETS: 'subnet-0badbadbadbadbad0' });
    expect(result.code).toBe(1);
    expect(result.failed).toEqual([
      '✗ Subnets: subnet-0badbadbadbadbad0 does not exist in this account and region: check ECS_SUBNETS and AWS_REGION.',
    ]);
  });

  it('Fargate Spot chosen but not attached to the cluster', async () => {
    await using world = await startWorld();
    world.aws.addCluster('no-spot', { capacityProviders: ['FARGATE'] });
    const result = await doctor(world, {
      ECS_CLUSTER: 'no-spot',
      ECS_CAPACITY_PROVIDER: 'FARGATE_SPOT',
    });
    expect(result.code).toBe(1);
    expect(result.failed).toEqual([
      expect.stringMatching(
        /^✗ Fargate Spot: no-spot has no FARGATE_SPOT capacity provider.*ECS_CAPACITY_PROVIDER=FARGATE/,
      ),
    ]);
  });

  it('a bad Slack bot token, and an app token of the wrong kind', async () => {
    await using world = await startWorld();
    await using slack = await startSlackStandIn();
    const result = await doctor(world, {
      SLACK_BOT_TOKEN: 'xoxb-revoked',
      SLACK_APP_TOKEN: 'xoxb-not-an-app-token',
      SLACK_API_URL: slack.apiUrl,
    });
    expect(result.code).toBe(1);
    expect(result.failed).toEqual([
      '✗ Slack bot token: Slack refused SLACK_BOT_TOKEN (invalid_auth): copy the Bot User OAuth Token (xoxb-...) from OAuth & Permissions.',
      expect.stringMatching(
        /^✗ Slack app token: SLACK_APP_TOKEN must be an app-level token \(xapp-/,
      ),
    ]);
  });

  it('a tag template that finds no image for an MR whose pipeline succeeded', async () => {
    await using world = await startWorld();
    world.addMergeRequest(7);
    const result = await doctor(world, { IMAGE_TAG_TEMPLATE: 'review-{mr}' });
    expect(result.code).toBe(1);
    expect(result.failed).toEqual([
      expect.stringMatching(
        /^✗ Image of an open MR: No image was found for !7 \(looked for tag "review-7"\)/,
      ),
    ]);
  });

  it("an open MR from a fork the token cannot read: the fork's fix, not the token's", async () => {
    await using world = await startWorld();
    world.addHiddenForkMergeRequest(9, 'd'.repeat(40));
    const result = await doctor(world);
    expect(result.code).toBe(1);
    expect(result.failed).toEqual([
      expect.stringMatching(
        /^✗ Image of an open MR: This merge request comes from a fork \(project 98\)/,
      ),
    ]);
    expect(result.failed[0]).toContain(
      "Give the bot's GitLab user (the owner of GITLAB_TOKEN) at least the Reporter role in the fork (project 98), or have merge requests from forks build their image in acme/shop, whose registry the bot also reads.",
    );
    expect(result.failed[0]).not.toContain('read_api');
  });

  describe('a network failure reads as one, never as a missing resource', () => {
    it('AWS at a closed port: every AWS check says it cannot reach AWS there', async () => {
      await using world = await startWorld();
      const closed = await closedLoopbackUrl();
      const where = closed.replace('http://', '');
      const result = await doctor(world, { AWS_ENDPOINT_URL: closed });
      expect(result.code).toBe(1);
      expect(result.failed.map((l) => l.slice(0, l.indexOf(':')))).toEqual([
        '✗ ECS cluster',
        '✗ Base task definition',
        '✗ Subnets',
        '✗ Security groups',
      ]);
      for (const line of result.failed) {
        expect(line).toContain(`Cannot reach AWS at ${where} for `);
        expect(line).toContain(`ECONNREFUSED ${where}`);
        expect(line).not.toMatch(/does not exist|has no/);
      }
    });

    it('AWS at a host name that resolves nowhere: the lookup failure, not "an id does not exist"', async () => {
      await using world = await startWorld();
      const result = await doctor(world, { AWS_ENDPOINT_URL: UNRESOLVABLE_URL });
      expect(result.code).toBe(1);
      const subnets = result.failed.find((l) => l.startsWith('✗ Subnets:'));
      expect(subnets).toBe(
        '✗ Subnets: Cannot reach AWS at review-app-doctor.invalid for ec2:DescribeSubnets: getaddrinfo ENOTFOUND review-app-doctor.invalid. Check the network and any proxy, AWS_REGION, and AWS_ENDPOINT_URL when it is set.',
      );
      expect(result.stdout).not.toContain('does not exist');
    });

    it('GitLab and Slack out of reach: named with the address and what failed', async () => {
      await using world = await startWorld();
      const closed = await closedLoopbackUrl();
      const result = await doctor(world, {
        GITLAB_URL: UNRESOLVABLE_URL,
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_APP_TOKEN: 'xapp-1',
        SLACK_API_URL: `${closed}/api/`,
      });
      expect(result.code).toBe(1);
      expect(result.failed).toEqual([
        `✗ GitLab token: Cannot reach GitLab at ${UNRESOLVABLE_URL} (getaddrinfo ENOTFOUND review-app-doctor.invalid): check GITLAB_URL and the network.`,
        expect.stringMatching(
          new RegExp(
            `^✗ Slack bot token: Slack could not be reached at ${closed}/api/ \\(connect ECONNREFUSED `,
          ),
        ),
        expect.stringMatching(/^✗ Slack app token: Slack could not be reached at .*ECONNREFUSED/),
      ]);
    });
  });
});
