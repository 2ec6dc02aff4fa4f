import {
  integer,
  objects,
  page,
  parseTags,
  required,
  selectByArnsOrNames,
  strings,
  text,
  validationError,
} from './aws-elbv2-query.js';
import {
  type Elbv2Store,
  TARGETS_PER_TARGET_GROUP,
  type TargetGroupRecord,
} from './aws-elbv2-store.js';
import { AwsError, isObject, type JsonObject } from './aws-shared.js';

/**
 * ELBv2's target group operations: IP target groups, their health-check
 * settings and attributes, targets registered and deregistered, and health.
 */

export const TARGET_GROUP_HANDLERS: Record<
  string,
  (store: Elbv2Store, input: JsonObject) => JsonObject
> = {
  CreateTargetGroup: (store, input) => createTargetGroup(store, input),
  DescribeTargetGroups: (store, input) => {
    const arns = strings(input, 'TargetGroupArns');
    const names = strings(input, 'Names');
    const balancer = text(input, 'LoadBalancerArn');
    if (balancer) store.loadBalancer(balancer);
    const all = [...store.targetGroups.values()];
    const selected =
      selectByArnsOrNames(
        { arns, names },
        all,
        (arn) => store.targetGroup(arn),
        () => new AwsError('TargetGroupNotFound', 'One or more target groups not found'),
      ) ?? (balancer ? all.filter((g) => store.loadBalancersOf(g.arn).includes(balancer)) : all);
    const { items, marker } = page(input, selected, 400);
    return {
      TargetGroups: items.map((g) => renderTargetGroup(store, g)),
      ...(marker ? { NextMarker: marker } : {}),
    };
  },
  DeleteTargetGroup: (store, input) => {
    const arn = required(input, 'TargetGroupArn');
    // Deleting a target group that no longer exists succeeds (DeleteTargetGroup is idempotent
    // in the CLI's examples); one a listener or rule forwards to is ResourceInUse: "A target
    // group cannot be deleted while it is used by a listener or rule" (API reference).
    if (!store.targetGroups.has(arn)) return {};
    if (store.loadBalancersOf(arn).length > 0) {
      throw new AwsError(
        'ResourceInUse',
        `Target group '${arn}' is currently in use by a listener or a rule`,
      );
    }
    store.targetGroups.delete(arn);
    store.tags.delete(arn);
    return {};
  },
  ModifyTargetGroupAttributes: (store, input) => {
    const group = store.targetGroup(required(input, 'TargetGroupArn'));
    for (const attribute of objects(input, 'Attributes')) {
      const key = required(attribute, 'Key');
      const value = text(attribute, 'Value') ?? '';
      checkAttribute(key, value);
      group.attributes.set(key, value);
    }
    return { Attributes: [...group.attributes].map(([Key, Value]) => ({ Key, Value })) };
  },
  RegisterTargets: (store, input) => {
    const group = store.targetGroup(required(input, 'TargetGroupArn'));
    store.settle(group);
    for (const raw of objects(input, 'Targets')) {
      const target = {
        id: required(raw, 'Id'),
        port: integer(raw, 'Port') ?? group.port,
        zone: text(raw, 'AvailabilityZone'),
      };
      store.checkTarget(group, target);
      // Registering a target again restarts its checks, draining or not.
      group.targets = group.targets.filter((t) => !(t.id === target.id && t.port === target.port));
      group.targets.push({ ...target, availabilityZone: target.zone, registeredAt: store.now() });
      if (
        group.targets.filter((t) => t.deregisteredAt === undefined).length >
        TARGETS_PER_TARGET_GROUP
      ) {
        throw new AwsError('TooManyTargets', "You've reached the limit on the number of targets");
      }
    }
    return {};
  },
  DeregisterTargets: (store, input) => {
    const group = store.targetGroup(required(input, 'TargetGroupArn'));
    for (const raw of objects(input, 'Targets')) {
      const id = required(raw, 'Id');
      const port = integer(raw, 'Port') ?? group.port;
      const target = group.targets.find(
        (t) => t.id === id && t.port === port && t.deregisteredAt === undefined,
      );
      // "The specified target does not exist, is not in the same VPC as the target group, or
      // has an unsupported instance type" (DeregisterTargets errors: InvalidTarget).
      if (!target)
        throw new AwsError('InvalidTarget', `The target '${id}:${port}' is not registered`);
      target.deregisteredAt = store.now();
    }
    return {};
  },
  DescribeTargetHealth: (store, input) => {
    const group = store.targetGroup(required(input, 'TargetGroupArn'));
    store.settle(group);
    const asked = objects(input, 'Targets').map((t) => ({
      id: required(t, 'Id'),
      port: integer(t, 'Port') ?? group.port,
    }));
    const shown = asked.length > 0 ? asked : group.targets.map((t) => ({ id: t.id, port: t.port }));
    return {
      TargetHealthDescriptions: shown.map(({ id, port }) => {
        const target = group.targets.find((t) => t.id === id && t.port === port);
        const health = target
          ? store.health(group, target)
          : {
              State: 'unavailable',
              Reason: 'Target.NotRegistered',
              Description: 'Target is not registered to the target group',
            };
        return {
          Target: {
            Id: id,
            Port: port,
            ...(target?.availabilityZone ? { AvailabilityZone: target.availabilityZone } : {}),
          },
          HealthCheckPort:
            group.healthCheck.port === 'traffic-port' ? String(port) : group.healthCheck.port,
          TargetHealth: health,
        };
      }),
    };
  },
};

function createTargetGroup(store: Elbv2Store, input: JsonObject): JsonObject {
  const name = required(input, 'Name');
  // CreateTargetGroup Name: "This name must be unique per region per account, can have a
  // maximum of 32 characters, must contain only alphanumeric characters or hyphens, and must
  // not begin or end with a hyphen" (API reference).
  if (
    name.length > 32 ||
    !/^[A-Za-z0-9-]+$/.test(name) ||
    name.startsWith('-') ||
    name.endsWith('-')
  ) {
    throw validationError(
      `Target group name '${name}' can have a maximum of 32 characters, must contain only alphanumeric characters or hyphens, and must not begin or end with a hyphen`,
    );
  }
  if (name.toLowerCase().startsWith('internal-')) {
    throw validationError(`Target group name '${name}' cannot begin with 'internal-'`);
  }
  const targetType = (text(input, 'TargetType') ?? 'instance') as TargetGroupRecord['targetType'];
  const protocol = text(input, 'Protocol') ?? 'HTTP';
  const port = integer(input, 'Port');
  const vpcId = text(input, 'VpcId');
  if (targetType !== 'lambda' && (port === undefined || !vpcId)) {
    throw validationError('A port and a VPC ID must be specified for this target type');
  }
  if (vpcId && store.network.subnetsOf(vpcId).length === 0) {
    throw validationError(`The VPC ID '${vpcId}' is not found`);
  }
  const health = {
    protocol: text(input, 'HealthCheckProtocol') ?? protocol,
    port: text(input, 'HealthCheckPort') ?? 'traffic-port',
    path: text(input, 'HealthCheckPath') ?? '/',
    // Defaults for an HTTP target group: 30 s interval, 5 s timeout, 5 healthy, 2 unhealthy.
    intervalSeconds: bounded(input, 'HealthCheckIntervalSeconds', 30, 5, 300),
    timeoutSeconds: bounded(input, 'HealthCheckTimeoutSeconds', 5, 2, 120),
    healthyThreshold: bounded(input, 'HealthyThresholdCount', 5, 2, 10),
    unhealthyThreshold: bounded(input, 'UnhealthyThresholdCount', 2, 2, 10),
    matcher: isObject(input.Matcher) ? (text(input.Matcher, 'HttpCode') ?? '200') : '200',
  };
  if (health.timeoutSeconds >= health.intervalSeconds) {
    throw validationError('Health check timeout must be smaller than the interval');
  }
  if (!/^[1-5]\d\d([-,][1-5]\d\d)*$/.test(health.matcher)) {
    throw validationError(`Health check matcher HTTP code '${health.matcher}' is not valid`);
  }
  const existing = [...store.targetGroups.values()].find((g) => g.name === name);
  if (existing) {
    throw new AwsError(
      'DuplicateTargetGroupName',
      `A target group with the same name '${name}' exists, but with different settings`,
    );
  }
  if (store.targetGroups.size >= store.quotas.targetGroupsPerRegion) {
    throw new AwsError(
      'TooManyTargetGroups',
      "You've reached the limit on the number of target groups for your AWS account",
    );
  }
  const tags = parseTags(input);
  const record: TargetGroupRecord = {
    arn: store.newTargetGroupArn(name),
    name,
    protocol,
    port: port ?? 0,
    vpcId: vpcId ?? '',
    targetType,
    healthCheck: health,
    attributes: new Map([
      ['deregistration_delay.timeout_seconds', '300'],
      ['stickiness.enabled', 'false'],
      ['load_balancing.algorithm.type', 'round_robin'],
      ['slow_start.duration_seconds', '0'],
    ]),
    targets: [],
  };
  store.targetGroups.set(record.arn, record);
  store.tags.set(record.arn, tags);
  return { TargetGroups: [renderTargetGroup(store, record)] };
}

function checkAttribute(key: string, value: string): void {
  // TargetGroupAttribute: deregistration_delay.timeout_seconds 0–3600, slow start 30–900 or 0.
  const known: Record<string, (v: string) => boolean> = {
    'deregistration_delay.timeout_seconds': (v) => /^\d+$/.test(v) && Number(v) <= 3600,
    'stickiness.enabled': (v) => v === 'true' || v === 'false',
    'load_balancing.algorithm.type': (v) =>
      ['round_robin', 'least_outstanding_requests'].includes(v),
    'slow_start.duration_seconds': (v) =>
      /^\d+$/.test(v) && (v === '0' || (Number(v) >= 30 && Number(v) <= 900)),
  };
  const check = known[key];
  if (!check)
    throw new AwsError('InvalidConfigurationRequest', `The attribute '${key}' is not supported`);
  if (!check(value))
    throw validationError(`The value '${value}' is not valid for the attribute '${key}'`);
}

function bounded(
  input: JsonObject,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = integer(input, key) ?? fallback;
  if (value < min || value > max) throw validationError(`${key} must be between ${min} and ${max}`);
  return value;
}

function renderTargetGroup(store: Elbv2Store, g: TargetGroupRecord): JsonObject {
  return {
    TargetGroupArn: g.arn,
    TargetGroupName: g.name,
    Protocol: g.protocol,
    Port: g.port,
    VpcId: g.vpcId,
    HealthCheckProtocol: g.healthCheck.protocol,
    HealthCheckPort: g.healthCheck.port,
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: g.healthCheck.intervalSeconds,
    HealthCheckTimeoutSeconds: g.healthCheck.timeoutSeconds,
    HealthyThresholdCount: g.healthCheck.healthyThreshold,
    UnhealthyThresholdCount: g.healthCheck.unhealthyThreshold,
    HealthCheckPath: g.healthCheck.path,
    Matcher: { HttpCode: g.healthCheck.matcher },
    LoadBalancerArns: store.loadBalancersOf(g.arn),
    TargetType: g.targetType,
    ProtocolVersion: 'HTTP1',
    IpAddressType: 'ipv4',
  };
}
