import { type CheckResult, failed, failedWith, passed } from '../core/check.js';
import { createLogger } from '../core/logger.js';
import type { AwsClients } from './clients.js';
import { callAws } from './errors.js';
import { AlbRouter } from './load-balancer.js';
import type { EcsSettings, LoadBalancerSettings } from './settings.js';

/**
 * What `review-app doctor` asks of the shared load balancer, read-only: the
 * listener (HTTPS), its VPC against the tasks' subnets, and how much of its
 * fixed room (100 rules, 100 target groups) is taken.
 */
export async function loadBalancerChecks(
  clients: AwsClients,
  settings: LoadBalancerSettings,
  ecs: EcsSettings,
): Promise<CheckResult[]> {
  const { client, sdk } = await clients.elbv2();
  let listener: { LoadBalancerArn?: string; Protocol?: string; Port?: number } | undefined;
  try {
    const answer = await callAws('elasticloadbalancing:DescribeListeners', () =>
      client.send(new sdk.DescribeListenersCommand({ ListenerArns: [settings.listenerArn] })),
    );
    listener = answer.Listeners?.[0];
  } catch (error) {
    const name = (error as { details?: { awsError?: string } }).details?.awsError;
    if (name !== 'ListenerNotFoundException') return [failedWith('Load balancer listener', error)];
  }
  if (!listener?.LoadBalancerArn) {
    return [
      failed(
        'Load balancer listener',
        'LOAD_BALANCER_LISTENER_ARN names no listener in this region: copy the HTTPS listener ARN from the load balancer.',
      ),
    ];
  }
  const results: CheckResult[] = [
    listener.Protocol === 'HTTPS'
      ? passed('Load balancer listener', `HTTPS on port ${listener.Port}.`)
      : failed(
          'Load balancer listener',
          `The listener speaks ${listener.Protocol}, not HTTPS: review apps need an HTTPS listener with the wildcard certificate of *.${settings.domain}.`,
        ),
  ];
  results.push(await vpcCheck(clients, listener.LoadBalancerArn, ecs));
  try {
    const router = new AlbRouter(clients, settings, createLogger({ secrets: [], write: () => {} }));
    const room = await router.room();
    const detail = `${room.rules.used} of ${room.rules.max} rules and ${room.targetGroups.used} of ${room.targetGroups.max} target groups in use; each app takes ${room.rulesPerApp} rule(s) and 1 target group.`;
    const full =
      room.rules.used + room.rulesPerApp > room.rules.max ||
      room.targetGroups.used >= room.targetGroups.max;
    results.push(
      full
        ? failed(
            'Load balancer room',
            `${detail} No new app fits: stop apps, or raise the rules quota.`,
          )
        : passed('Load balancer room', detail),
    );
  } catch (error) {
    results.push(failedWith('Load balancer room', error));
  }
  return results;
}

async function vpcCheck(
  clients: AwsClients,
  loadBalancerArn: string,
  ecs: EcsSettings,
): Promise<CheckResult> {
  const name = 'Load balancer VPC';
  try {
    const { client, sdk } = await clients.elbv2();
    const balancers = await callAws('elasticloadbalancing:DescribeLoadBalancers', () =>
      client.send(new sdk.DescribeLoadBalancersCommand({ LoadBalancerArns: [loadBalancerArn] })),
    );
    const vpc = balancers.LoadBalancers?.[0]?.VpcId;
    const ec2 = await clients.ec2();
    const subnets = await callAws('ec2:DescribeSubnets', () =>
      ec2.client.send(new ec2.sdk.DescribeSubnetsCommand({ SubnetIds: ecs.subnets })),
    );
    const elsewhere = (subnets.Subnets ?? []).filter((s) => s.VpcId !== vpc).map((s) => s.SubnetId);
    return elsewhere.length === 0
      ? passed(name, `The tasks' subnets are in the load balancer's VPC ${vpc}.`)
      : failed(
          name,
          `ECS_SUBNETS ${elsewhere.join(', ')} are outside the load balancer's VPC ${vpc}: it can reach only tasks in its own VPC.`,
        );
  } catch (error) {
    return failedWith(name, error);
  }
}
