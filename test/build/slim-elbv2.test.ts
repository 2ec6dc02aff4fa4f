import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { startAwsStandIn } from '@review-app-bot/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { slimAwsSdk } from '../../scripts/slim-aws-sdk.js';

const directory = `${process.cwd()}/node_modules/.cache/slim-elbv2-test/${process.pid}`;

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('the ELBv2 client as built', () => {
  it('holds only the commands the bot sends, and speaks to the load balancer', async () => {
    const output = `${directory}/elbv2.cjs`;
    await slimAwsSdk(`${process.cwd()}/src/aws/sdk/elbv2.ts`, output);
    const bundle = readFileSync(output, 'utf8');
    expect(bundle).toContain('CreateRule');
    expect(bundle).not.toContain('CreateLoadBalancer');
    expect(bundle).not.toContain('ModifyListener');

    const sdk = createRequire(output)(output) as typeof import('../../src/aws/sdk/elbv2.js');
    await using aws = await startAwsStandIn();
    const { listenerArn, loadBalancerArn } = aws.addLoadBalancer();
    const client = new sdk.ElasticLoadBalancingV2Client({
      endpoint: aws.url,
      region: aws.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { Listeners } = await client.send(
      new sdk.DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }),
    );
    expect(Listeners?.map((l) => [l.ListenerArn, l.Protocol, l.Port])).toEqual([
      [listenerArn, 'HTTPS', 443],
    ]);
  });
});
