import { DEMO_SUBNET, startAwsStandIn } from '@review-app-bot/sandbox';
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
  const check = (subnets = [DEMO_SUBNET], arn?: string) =>
    loadBalancerChecks(clients, settings(arn), { subnets } as EcsSettings);
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
      ['Load balancer room', true],
    ]);
    expect(results[2]?.detail).toBe(
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
});
