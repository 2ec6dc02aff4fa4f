import { type CheckResult, failed, failedWith, passed } from '../core/check.js';
import { isReviewAppError } from '../core/errors.js';
import type { AwsClients } from './clients.js';
import { callAws } from './errors.js';
import type {
  DescribeSecurityGroupsCommandOutput,
  DescribeSubnetsCommandOutput,
} from './sdk/ec2.js';
import type {
  DescribeClustersCommandOutput,
  DescribeTaskDefinitionCommandOutput,
} from './sdk/ecs.js';
import type { EcsSettings } from './settings.js';
import { containerPort, pickAppContainer, reviewFamilyOf } from './task-definition.js';

/**
 * What `review-app doctor` asks AWS: read-only calls, one function per SDK
 * command, then checks made from their answers. Nothing is changed.
 */

function describeCluster(clients: AwsClients, cluster: string) {
  return callAws('ecs:DescribeClusters', () =>
    clients.ecs.send('DescribeClusters', { clusters: [cluster] }),
  );
}

function describeBaseTaskDefinition(clients: AwsClients, taskDefinition: string) {
  return callAws('ecs:DescribeTaskDefinition', () =>
    clients.ecs.send('DescribeTaskDefinition', { taskDefinition }),
  );
}

function describeSubnets(clients: AwsClients, subnetIds: string[]) {
  return callAws('ec2:DescribeSubnets', async () => {
    const { client, sdk } = await clients.ec2();
    return client.send(new sdk.DescribeSubnetsCommand({ SubnetIds: subnetIds }));
  });
}

function describeSecurityGroups(clients: AwsClients, groupIds: string[]) {
  return callAws('ec2:DescribeSecurityGroups', async () => {
    const { client, sdk } = await clients.ec2();
    return client.send(new sdk.DescribeSecurityGroupsCommand({ GroupIds: groupIds }));
  });
}

export interface AwsCheckOptions {
  region: string;
  /** REVIEW_APP_PORT: the app's port when the container declares none. */
  port?: number | undefined;
}

/** Every AWS check, in the order an operator would fix them. */
export async function awsChecks(
  clients: AwsClients,
  ecs: EcsSettings,
  options: AwsCheckOptions,
): Promise<CheckResult[]> {
  const [cluster, project] = await Promise.all([
    awsClusterChecks(clients, ecs, options.region),
    awsProjectChecks(clients, ecs, options.port),
  ]);
  return [...cluster, ...project];
}

/**
 * The cluster every project shares (and its FARGATE_SPOT provider, when `ecs` uses it):
 * checked once however many projects run there.
 */
export async function awsClusterChecks(
  clients: AwsClients,
  ecs: EcsSettings,
  region: string,
): Promise<CheckResult[]> {
  return clusterChecks(await settle(describeCluster(clients, ecs.cluster)), ecs, region);
}

/** One project's own AWS settings: its base task definition, subnets and security groups. */
export async function awsProjectChecks(
  clients: AwsClients,
  ecs: EcsSettings,
  port: number | undefined,
): Promise<CheckResult[]> {
  const [definition, network] = await Promise.all([
    settle(describeBaseTaskDefinition(clients, ecs.taskDefinition)),
    networkChecks(clients, ecs),
  ]);
  return [...definitionChecks(definition, ecs, port), ...network];
}

type Settled<T> = { value: T } | { error: unknown };

async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

function clusterChecks(
  answer: Settled<DescribeClustersCommandOutput>,
  ecs: EcsSettings,
  region: string,
): CheckResult[] {
  const name = 'ECS cluster';
  const spot = ecs.capacityProvider === 'FARGATE_SPOT';
  if ('error' in answer) {
    return [
      failedWith(name, answer.error),
      ...(spot ? [failedWith('Fargate Spot', answer.error)] : []),
    ];
  }
  const cluster = answer.value.clusters?.[0];
  if (!cluster) {
    const missing = failed(
      name,
      `ECS has no cluster ${ecs.cluster} in ${region}: check ECS_CLUSTER and AWS_REGION.`,
    );
    return [missing, ...(spot ? [failed('Fargate Spot', 'The cluster was not found.')] : [])];
  }
  const results = [
    cluster.status === 'ACTIVE'
      ? passed(name, `${cluster.clusterName} is ACTIVE.`)
      : failed(
          name,
          `${cluster.clusterName} is ${cluster.status}, not ACTIVE: use an active cluster in ECS_CLUSTER.`,
        ),
  ];
  if (spot) {
    const providers = cluster.capacityProviders ?? [];
    results.push(
      providers.includes('FARGATE_SPOT')
        ? passed('Fargate Spot', `${cluster.clusterName} has the FARGATE_SPOT capacity provider.`)
        : failed(
            'Fargate Spot',
            `${cluster.clusterName} has no FARGATE_SPOT capacity provider, so every launch would fail: attach it (aws ecs put-cluster-capacity-providers --cluster ${cluster.clusterName} --capacity-providers FARGATE FARGATE_SPOT --default-capacity-provider-strategy capacityProvider=FARGATE,weight=1), or set ECS_CAPACITY_PROVIDER=FARGATE.`,
          ),
    );
  }
  return results;
}

function definitionChecks(
  answer: Settled<DescribeTaskDefinitionCommandOutput>,
  ecs: EcsSettings,
  port: number | undefined,
): CheckResult[] {
  const name = 'Base task definition';
  if ('error' in answer) {
    const message = answer.error instanceof Error ? answer.error.message : String(answer.error);
    return [
      /Unable to describe task definition/i.test(message)
        ? failed(
            name,
            `ECS has no task definition ${ecs.taskDefinition}: check ECS_TASK_DEFINITION (a family, family:revision or ARN) and AWS_REGION.`,
          )
        : failedWith(name, answer.error),
    ];
  }
  const definition = answer.value.taskDefinition;
  if (!definition?.family) return [failed(name, `ECS did not return ${ecs.taskDefinition}.`)];
  const label = `${definition.family}:${definition.revision}`;
  const problems: string[] = [];
  if (!(definition.requiresCompatibilities ?? []).includes('FARGATE')) {
    problems.push('it is not Fargate-compatible (add FARGATE to requiresCompatibilities)');
  }
  if (definition.networkMode !== 'awsvpc') {
    problems.push(`its network mode is ${definition.networkMode ?? 'unset'}, not awsvpc`);
  }
  const results = [
    problems.length === 0
      ? passed(name, `${label} is a Fargate task definition with awsvpc networking.`)
      : failed(
          name,
          `${label}: ${problems.join('; ')}. Fix the task definition or ECS_TASK_DEFINITION.`,
        ),
  ];
  try {
    const container = pickAppContainer(definition, ecs.container);
    const found = containerPort(container) ?? port;
    results.push(
      found !== undefined
        ? passed('App container', `${container.name} serves on port ${found}.`)
        : failed(
            'App container',
            `${container.name} has no port mapping: add one to the task definition, or set REVIEW_APP_PORT.`,
          ),
    );
  } catch (error) {
    results.push(failedWith('App container', error));
  }
  // Configuration refuses a review family equal to the base one before doctor runs.
  const review = reviewFamilyOf(definition.family, ecs.family);
  results.push(
    passed(
      'Review family',
      `Review apps are registered as ${review}, apart from ${definition.family}.`,
    ),
  );
  return results;
}

async function networkChecks(clients: AwsClients, ecs: EcsSettings): Promise<CheckResult[]> {
  const [subnets, groups] = await Promise.all([
    settle(describeSubnets(clients, ecs.subnets)),
    ecs.securityGroups.length > 0
      ? settle(describeSecurityGroups(clients, ecs.securityGroups))
      : Promise.resolve(undefined),
  ]);
  const results: CheckResult[] = [subnetCheck(subnets)];
  if (groups) results.push(groupCheck(groups));
  const vpcs = new Map<string, string[]>();
  const add = (vpc: string | undefined, id: string | undefined) => {
    if (!vpc || !id) return;
    vpcs.set(vpc, [...(vpcs.get(vpc) ?? []), id]);
  };
  if ('value' in subnets) for (const s of subnets.value.Subnets ?? []) add(s.VpcId, s.SubnetId);
  if (groups && 'value' in groups)
    for (const g of groups.value.SecurityGroups ?? []) add(g.VpcId, g.GroupId);
  if (vpcs.size > 1) {
    const where = [...vpcs].map(([vpc, ids]) => `${ids.join(', ')} in ${vpc}`).join('; ');
    results.push(
      failed(
        'One VPC',
        `The subnets and security groups are not in one VPC (${where}): a task's network interface lives in one VPC, so pick them from the same one.`,
      ),
    );
  } else if (vpcs.size === 1) {
    results.push(passed('One VPC', `All are in ${[...vpcs.keys()][0]}.`));
  }
  return results;
}

function subnetCheck(answer: Settled<DescribeSubnetsCommandOutput>): CheckResult {
  if ('error' in answer) return notFound('Subnets', answer.error, 'ECS_SUBNETS');
  const found = answer.value.Subnets ?? [];
  return passed(
    'Subnets',
    `${found.map((s) => `${s.SubnetId} (${s.AvailabilityZone})`).join(', ')} found.`,
  );
}

function groupCheck(answer: Settled<DescribeSecurityGroupsCommandOutput>): CheckResult {
  if ('error' in answer) return notFound('Security groups', answer.error, 'ECS_SECURITY_GROUPS');
  const found = answer.value.SecurityGroups ?? [];
  return passed(
    'Security groups',
    `${found.map((g) => `${g.GroupId} (${g.GroupName})`).join(', ')} found.`,
  );
}

/**
 * EC2 names the first id it does not know (InvalidSubnetID.NotFound,
 * InvalidGroup.NotFound); the variable is what to fix. Only EC2's own answer
 * counts: a failed lookup of AWS's host name (ENOTFOUND) is the network's.
 */
function notFound(name: string, error: unknown, variable: string): CheckResult {
  const message = error instanceof Error ? error.message : String(error);
  const missing = /'([a-z]+-[0-9a-f]+)'/.exec(message)?.[1];
  return isReviewAppError(error, 'AWS_ERROR') && /\.NotFound$/.test(error.details.awsError ?? '')
    ? failed(
        name,
        `${missing ?? 'An id'} does not exist in this account and region: check ${variable} and AWS_REGION.`,
      )
    : failedWith(name, error);
}
