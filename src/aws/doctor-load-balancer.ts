import { type CheckResult, failed, failedWith, passed } from '../core/check.js';
import { createLogger } from '../core/logger.js';
import type { RoutedAppKey } from '../core/ports.js';
import { plural } from '../core/words.js';
import type { AwsClients } from './clients.js';
import { callAws } from './errors.js';
import { AlbRouter } from './load-balancer.js';
import { CIDRS_PER_RULE } from './load-balancer-rules.js';
import type { EcsSettings, LoadBalancerSettings } from './settings.js';

/** What the checks need of the apps behind the load balancer. */
export interface RoutedApps {
  /** The app's port (REVIEW_APP_PORT), when set; otherwise it is the task definition's. */
  port?: number | undefined;
  /** How many apps may run at once behind it: MAX_RUNNING_APPS, of every project. */
  maxRunning?: number | undefined;
  /** The apps running now, of every project: what the load balancer may hold rules for. */
  live?: () => Promise<RoutedAppKey[]>;
  /** Now, for the ended pages' deadlines. */
  now?: () => number;
}

/**
 * What `review-app doctor` asks of the shared load balancer, read-only: the
 * listener (HTTPS), its VPC against the tasks' subnets, whether the tasks' security
 * groups admit it, and how much of its fixed room (100 rules, 100 target groups) is
 * taken, and would be with MAX_RUNNING_APPS apps.
 */
export async function loadBalancerChecks(
  clients: AwsClients,
  settings: LoadBalancerSettings,
  ecs: EcsSettings,
  apps: RoutedApps = {},
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
  let balancer: Awaited<ReturnType<typeof describeBalancer>>;
  try {
    balancer = await describeBalancer(clients, listener.LoadBalancerArn);
  } catch (error) {
    results.push(failedWith('Load balancer VPC', error));
  }
  if (balancer) {
    results.push(await vpcCheck(clients, balancer.VpcId, ecs));
    results.push(await securityGroupCheck(clients, balancer.SecurityGroups ?? [], ecs, apps.port));
  }
  try {
    const router = new AlbRouter(clients, settings, createLogger({ secrets: [], write: () => {} }));
    const room = await router.room();
    const detail = `${room.rules.used} of ${room.rules.max} rules and ${room.targetGroups.used} of ${room.targetGroups.max} target groups in use; each app takes ${room.rulesPerApp} rule(s) and 1 target group.`;
    const full =
      room.rules.used + room.rulesPerApp > room.rules.max ||
      room.targetGroups.used >= room.targetGroups.max;
    // Rules of other listeners' apps are not ours to count: the bot's own need is the cap.
    const wanted = (apps.maxRunning ?? 0) * room.rulesPerApp;
    results.push(
      full
        ? failed(
            'Load balancer room',
            `${detail} No new app fits: stop apps, or raise the rules quota.`,
          )
        : wanted > room.rules.max
          ? failed(
              'Load balancer room',
              `${detail} MAX_RUNNING_APPS lets ${apps.maxRunning} apps run, which take ${wanted} rules, more than the listener's ${room.rules.max}: launches past that are refused. Lower MAX_RUNNING_APPS, use fewer ALLOWED_SOURCE_CIDRS (${CIDRS_PER_RULE} a rule), or raise the "Rules per Application Load Balancer" quota.`,
            )
          : passed('Load balancer room', detail),
    );
    if (apps.live) results.push(await leftoversCheck(router, apps.live, apps.now ?? Date.now));
  } catch (error) {
    results.push(failedWith('Load balancer room', error));
  }
  return results;
}

/** At most this many leftovers are named; the rest are counted. */
const LEFTOVERS_NAMED = 5;

/**
 * Rules and target groups the bot made whose app is gone and whose ended page (if any)
 * is over: the watcher's sweep removes them, so they last only while the bot is down.
 */
async function leftoversCheck(
  router: AlbRouter,
  live: () => Promise<RoutedAppKey[]>,
  now: () => number,
): Promise<CheckResult> {
  const name = 'Load balancer leftovers';
  try {
    const left = await router.leftovers(await live(), now());
    const count = left.rules.length + left.targetGroups.length;
    if (count === 0)
      return passed(
        name,
        'None: every rule and target group the bot made belongs to a running app or shows an ended page.',
      );
    const apps = [
      ...new Set([...left.rules, ...left.targetGroups].map((app) => `${app.project}!${app.mr}`)),
    ];
    const named = apps.slice(0, LEFTOVERS_NAMED).join(', ');
    const more = apps.length > LEFTOVERS_NAMED ? ` and ${apps.length - LEFTOVERS_NAMED} more` : '';
    return failed(
      name,
      `${plural(left.rules.length, 'rule')} and ${plural(left.targetGroups.length, 'target group')} of apps that are gone (${named}${more}): the bot removes them at its next sweep (at start, then every 5 minutes). If it is not running, start it, or delete them: they carry the tags review-app:project and review-app:mr.`,
    );
  } catch (error) {
    return failedWith(name, error);
  }
}

async function describeBalancer(clients: AwsClients, loadBalancerArn: string) {
  const { client, sdk } = await clients.elbv2();
  const balancers = await callAws('elasticloadbalancing:DescribeLoadBalancers', () =>
    client.send(new sdk.DescribeLoadBalancersCommand({ LoadBalancerArns: [loadBalancerArn] })),
  );
  return balancers.LoadBalancers?.[0];
}

async function vpcCheck(
  clients: AwsClients,
  vpc: string | undefined,
  ecs: EcsSettings,
): Promise<CheckResult> {
  const name = 'Load balancer VPC';
  try {
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

/**
 * The load balancer reaches a task only if one of the task's security groups admits one
 * of the load balancer's on the app port (an inbound rule whose source is that group;
 * ELB guide, "Security groups for your Application Load Balancer": targets should allow
 * traffic from the load balancer's security group). A group open to 0.0.0.0/0 on that
 * port also lets anyone around the load balancer, past its sign-in and networks.
 */
async function securityGroupCheck(
  clients: AwsClients,
  balancerGroups: string[],
  ecs: EcsSettings,
  port: number | undefined,
): Promise<CheckResult> {
  const name = 'Task security groups';
  const onPort = port === undefined ? 'the app port' : `port ${port}`;
  try {
    const ec2 = await clients.ec2();
    const answer = await callAws('ec2:DescribeSecurityGroups', () =>
      ec2.client.send(new ec2.sdk.DescribeSecurityGroupsCommand({ GroupIds: ecs.securityGroups })),
    );
    const covers = (rule: { IpProtocol?: string; FromPort?: number; ToPort?: number }) =>
      rule.IpProtocol === '-1' ||
      (rule.IpProtocol === 'tcp' &&
        (port === undefined || ((rule.FromPort ?? 0) <= port && port <= (rule.ToPort ?? 65535))));
    const admitting = (answer.SecurityGroups ?? []).filter((group) =>
      (group.IpPermissions ?? []).some(
        (rule) =>
          covers(rule) &&
          (rule.UserIdGroupPairs ?? []).some((pair) => balancerGroups.includes(pair.GroupId ?? '')),
      ),
    );
    const open = (answer.SecurityGroups ?? []).filter((group) =>
      (group.IpPermissions ?? []).some(
        (rule) =>
          covers(rule) && (rule.IpRanges ?? []).some((range) => range.CidrIp === '0.0.0.0/0'),
      ),
    );
    if (admitting.length === 0) {
      return failed(
        name,
        `No group of ECS_SECURITY_GROUPS (${ecs.securityGroups.join(', ')}) admits the load balancer's (${balancerGroups.join(', ') || 'none'}) on ${onPort}: add an inbound rule for TCP ${port ?? '<app port>'} from ${balancerGroups[0] ?? "the load balancer's security group"}, or health checks will time out.`,
      );
    }
    const admits = `${admitting.map((group) => group.GroupId).join(', ')} admits the load balancer's ${balancerGroups.join(', ')} on ${onPort}.`;
    return open.length > 0
      ? failed(
          name,
          `${admits} But ${open.map((group) => group.GroupId).join(', ')} also admits 0.0.0.0/0 there: anyone can reach the apps around the load balancer. Remove that rule.`,
        )
      : passed(name, admits);
  } catch (error) {
    return failedWith(name, error);
  }
}
