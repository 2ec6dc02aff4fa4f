import { DEMO_SECURITY_GROUP, DEMO_SUBNET, startAwsStandIn } from '@review-app-bot/sandbox';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/aws/clients.js';
import { loadBalancerChecks } from '../../src/aws/doctor-load-balancer.js';
import type { EcsSettings, LoadBalancerSettings } from '../../src/aws/settings.js';

async function doctorWorld(options: { protocol?: 'HTTP' | 'HTTPS' } = {}) {
  const aws = await startAwsStandIn();
  const { listenerArn } = aws.addLoadBalancer(options);
  const clients = createAwsClients({
    endpoints: { elbv2: aws.url, ec2: aws.url },
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
    apps: { securityGroups?: string[]; maxRunning?: number } = {},
  ) =>
    loadBalancerChecks(
      clients,
      settings(arn),
      { subnets, securityGroups: apps.securityGroups ?? [DEMO_SECURITY_GROUP] } as EcsSettings,
      { port: 3000, ...(apps.maxRunning ? { maxRunning: apps.maxRunning } : {}) },
    );
  return { aws, check, listenerArn };
}

describe('doctor: the shared load balancer', () => {
  it('passes an HTTPS listener in the tasks’ VPC, and tells how full it is', async () => {
    const { aws, check } = await doctorWorld();
    await using _ = aws;
    const results = await check();
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['Load balancer listener', true],
      ['Load balancer VPC', true],
      ['Task security groups', true],
      ['Load balancer room', true],
    ]);
    expect(results[2]?.detail).toBe(
      "sg-0123456789abcdef0 admits the load balancer's sg-0123456789abcdef0 on port 3000.",
    );
    expect(results[3]?.detail).toBe(
      '0 of 100 rules and 0 of 100 target groups in use; each app takes 1 rule(s) and 1 target group.',
    );
  });

  it('names the fix for a plain HTTP listener, subnets in another VPC, and a listener not there', async () => {
    const { aws, check, listenerArn } = await doctorWorld({ protocol: 'HTTP' });
    await using _ = aws;
    aws.addSubnet({ subnetId: 'subnet-0fedcba987654321f', vpcId: 'vpc-0ffffffffffffffff' });
    const results = await check(['subnet-0fedcba987654321f']);
    expect(results[0]).toMatchObject({ ok: false, detail: expect.stringContaining('not HTTPS') });
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
});
