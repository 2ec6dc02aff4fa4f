import {
  type AwsStandIn,
  DEMO_SECURITY_GROUP,
  DEMO_SUBNET,
  startAwsStandIn,
} from '@review-app-bot/sandbox';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/aws/clients.js';
import { covers, loadBalancerChecks } from '../../src/aws/doctor-load-balancer.js';
import type { EcsSettings, LoadBalancerSettings } from '../../src/aws/settings.js';

const NOW = Date.parse('2026-12-08T12:00:00Z');
const DAY = 86_400_000;

async function doctorWorld(options: Parameters<AwsStandIn['addLoadBalancer']>[0] = {}) {
  const aws = await startAwsStandIn({ now: () => NOW });
  const { listenerArn } = aws.addLoadBalancer(options);
  const clients = createAwsClients({
    endpoints: { elbv2: aws.url, ec2: aws.url, acm: aws.url },
    region: aws.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const settings = (arn = listenerArn): LoadBalancerSettings => ({
    listenerArn: arn,
    domain: 'review.example.com',
    hostTemplate: 'mr-{mr}.{domain}',
    healthCheck: { path: '/', codes: '200-399', intervalSeconds: 5, healthyThreshold: 2 },
    deregistrationDelaySeconds: 5,
    firstPriority: 10_000,
    access: { cidrs: [] },
  });
  const check = (
    subnets = [DEMO_SUBNET],
    arn?: string,
    apps: { securityGroups?: string[]; maxRunning?: number; hosts?: string[] } = {},
  ) =>
    loadBalancerChecks(
      clients,
      settings(arn),
      { subnets, securityGroups: apps.securityGroups ?? [DEMO_SECURITY_GROUP] } as EcsSettings,
      {
        port: 3000,
        now: () => NOW,
        ...(apps.maxRunning ? { maxRunning: apps.maxRunning } : {}),
        ...(apps.hosts ? { hosts: apps.hosts } : {}),
      },
    );
  const certificate = async (hosts?: string[]) =>
    (await check([DEMO_SUBNET], undefined, hosts ? { hosts } : {})).find(
      (r) => r.name === 'Load balancer certificate',
    );
  return { aws, check, certificate, listenerArn, clients, settingsOf: settings };
}

describe('doctor: the shared load balancer', () => {
  it('passes an HTTPS listener in the tasks’ VPC, and tells how full it is', async () => {
    const { aws, check } = await doctorWorld();
    await using _ = aws;
    const results = await check();
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['Load balancer listener', true],
      ['Load balancer certificate', true],
      ['Load balancer VPC', true],
      ['Task security groups', true],
      ['Load balancer room', true],
    ]);
    expect(results[1]?.detail).toBe(
      '*.review.example.com (issued, valid until 2027-06-24) covers mr-42.review.example.com.',
    );
    expect(results[3]?.detail).toBe(
      "sg-0123456789abcdef0 admits the load balancer's sg-0123456789abcdef0 on port 3000.",
    );
    expect(results[4]?.detail).toBe(
      '0 of 100 rules and 0 of 100 target groups in use; each app takes 1 rule(s) and 1 target group.',
    );
  });

  it('names the fix for a plain HTTP listener, subnets in another VPC, and a listener not there', async () => {
    const { aws, check, listenerArn } = await doctorWorld({ protocol: 'HTTP' });
    await using _ = aws;
    aws.addSubnet({ subnetId: 'subnet-0fedcba987654321f', vpcId: 'vpc-0ffffffffffffffff' });
    const results = await check(['subnet-0fedcba987654321f']);
    expect(results[0]).toMatchObject({ ok: false, detail: expect.stringContaining('not HTTPS') });
    // A plain HTTP listener holds no certificate: the listener's line says what to fix.
    expect(results.map((r) => r.name)).not.toContain('Load balancer certificate');
    expect(results[1]).toMatchObject({
      ok: false,
      detail: expect.stringContaining('subnet-0fedcba987654321f are outside the load balancer'),
    });
    const missing = await check([DEMO_SUBNET], `${listenerArn.slice(0, -4)}beef`);
    expect(missing).toEqual([
      expect.objectContaining({
        ok: false,
        detail: expect.stringContaining('LOAD_BALANCER_LISTENER_ARN names no listener'),
      }),
    ]);
  });

  it('names the inbound rule to add when the tasks’ groups do not admit the load balancer, and an app port open to all', async () => {
    const { aws, check } = await doctorWorld();
    await using _ = aws;
    aws.addSecurityGroup({ groupId: 'sg-0aaaaaaaaaaaaaaa1' });
    aws.addSecurityGroup({
      groupId: 'sg-0aaaaaaaaaaaaaaa2',
      ingress: [
        { protocol: 'tcp', fromPort: 3000, toPort: 3000, groups: [DEMO_SECURITY_GROUP] },
        { protocol: 'tcp', fromPort: 0, toPort: 65535, cidrs: ['0.0.0.0/0'] },
      ],
    });
    const closed = await check([DEMO_SUBNET], undefined, {
      securityGroups: ['sg-0aaaaaaaaaaaaaaa1'],
    });
    expect(closed.find((r) => r.name === 'Task security groups')).toEqual({
      name: 'Task security groups',
      ok: false,
      detail:
        "No group of ECS_SECURITY_GROUPS (sg-0aaaaaaaaaaaaaaa1) admits the load balancer's (sg-0123456789abcdef0) on port 3000: add an inbound rule for TCP 3000 from sg-0123456789abcdef0, or health checks will time out.",
    });
    const open = await check([DEMO_SUBNET], undefined, {
      securityGroups: ['sg-0aaaaaaaaaaaaaaa2'],
    });
    expect(open.find((r) => r.name === 'Task security groups')?.detail).toContain(
      'sg-0aaaaaaaaaaaaaaa2 also admits 0.0.0.0/0 there: anyone can reach the apps around the load balancer',
    );
  });

  it('says when MAX_RUNNING_APPS apps would need more rules than the listener holds', async () => {
    const { aws, check } = await doctorWorld();
    await using _ = aws;
    const room = (await check([DEMO_SUBNET], undefined, { maxRunning: 101 })).at(-1);
    expect(room).toMatchObject({
      name: 'Load balancer room',
      ok: false,
      detail: expect.stringContaining(
        "MAX_RUNNING_APPS lets 101 apps run, which take 101 rules, more than the listener's 100",
      ),
    });
    expect((await check([DEMO_SUBNET], undefined, { maxRunning: 100 })).at(-1)?.ok).toBe(true);
  });

  it('says which names the certificate does not cover: a wildcard covers exactly one label', async () => {
    const { aws, certificate } = await doctorWorld({
      certificate: { domainName: '*.example.com', alternativeNames: ['review.example.com'] },
    });
    await using _ = aws;
    expect(await certificate()).toEqual({
      name: 'Load balancer certificate',
      ok: false,
      detail:
        'No certificate of the listener covers mr-42.review.example.com (it holds *.example.com, review.example.com; a wildcard covers one label only): request a wildcard certificate for *.review.example.com in ACM (validated by DNS, so that ACM renews it) and add it to the listener.',
    });
    expect(covers('*.review.example.com', 'mr-42.review.example.com')).toBe(true);
    expect(covers('*.review.example.com', 'MR-42.Review.Example.com')).toBe(true);
    expect(covers('*.review.example.com', 'mr-42.eu.review.example.com')).toBe(false);
    expect(covers('*.review.example.com', 'review.example.com')).toBe(false);
    expect(covers('review.example.com', 'review.example.com')).toBe(true);
  });

  it('passes when another certificate of the listener covers the names, and checks every project’s', async () => {
    const { aws, certificate } = await doctorWorld({
      certificate: { domainName: 'www.example.com' },
      moreCertificates: [{}],
    });
    await using _ = aws;
    expect(
      await certificate(['shop-mr-42.review.example.com', 'api-mr-42.review.example.com']),
    ).toEqual({
      name: 'Load balancer certificate',
      ok: true,
      detail:
        '*.review.example.com (issued, valid until 2027-06-24) covers shop-mr-42.review.example.com, api-mr-42.review.example.com.',
    });
    const other = await certificate(['shop-mr-42.review.example.com', 'mr-42.apps.example.org']);
    expect(other).toMatchObject({
      ok: false,
      detail: expect.stringContaining(
        'No certificate of the listener covers mr-42.apps.example.org',
      ),
    });
  });

  it('names an expired certificate and one still pending validation', async () => {
    const expired = await doctorWorld({ certificate: { notAfter: NOW - 3 * DAY } });
    await using _ = expired.aws;
    expect(await expired.certificate()).toEqual({
      name: 'Load balancer certificate',
      ok: false,
      detail:
        'The certificate *.review.example.com that would cover mr-42.review.example.com expired on 2026-12-05: browsers refuse it. Request a wildcard certificate for *.review.example.com in ACM (validated by DNS, so that ACM renews it) and add it to the listener.',
    });
    const pending = await doctorWorld({ certificate: { status: 'PENDING_VALIDATION' } });
    await using __ = pending.aws;
    expect(await pending.certificate()).toMatchObject({
      ok: false,
      detail: expect.stringContaining(
        'The certificate *.review.example.com that would cover mr-42.review.example.com is not issued yet (PENDING_VALIDATION): add the CNAME record ACM shows for it to your DNS',
      ),
    });
  });

  it('says an IAM server certificate cannot be read through ACM, without failing the setup', async () => {
    const { aws, certificate } = await doctorWorld({ certificate: { iam: 'review-wildcard' } });
    await using _ = aws;
    expect(await certificate()).toEqual({
      name: 'Load balancer certificate',
      ok: true,
      detail:
        "The listener's certificate review-wildcard is an IAM server certificate, which ACM cannot describe: check that it covers mr-42.review.example.com and has not expired (aws iam get-server-certificate --server-certificate-name review-wildcard), or request a wildcard certificate for *.review.example.com in ACM (validated by DNS, so that ACM renews it) and add it to the listener.",
    });
    // It was never sent to ACM, which refuses an ARN that is not its own.
    expect(aws.operations()).not.toContain('DescribeCertificate');
  });

  it('checks each project’s own security groups, and asks for one where none is set', async () => {
    const { aws, clients, settingsOf } = await doctorWorld();
    await using _ = aws;
    aws.addSecurityGroup({ groupId: 'sg-0aaaaaaaaaaaaaaa1' });
    const results = await loadBalancerChecks(
      clients,
      settingsOf(),
      { subnets: [DEMO_SUBNET], securityGroups: [] } as unknown as EcsSettings,
      {
        tasks: [
          { project: 'acme/shop', securityGroups: [DEMO_SECURITY_GROUP], port: 3000 },
          { project: 'acme/api', securityGroups: ['sg-0aaaaaaaaaaaaaaa1'], port: 3000 },
          { project: 'acme/docs', securityGroups: [], port: 3000 },
        ],
      },
    );
    const lines = results.filter((r) => r.name.startsWith('Task security groups'));
    expect(lines.map((r) => [r.name, r.ok])).toEqual([
      ['Task security groups of acme/shop', true],
      ['Task security groups of acme/api', false],
      ['Task security groups of acme/docs', false],
    ]);
    expect(lines[2]?.detail).toContain('ECS_SECURITY_GROUPS is not set');
  });
});
