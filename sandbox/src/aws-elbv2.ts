import {
  ELBV2_VERSION,
  integer,
  objects,
  parseQuery,
  queryAnswer,
  queryError,
  required,
  strings,
  text,
  validationError,
} from './aws-elbv2-query.js';
import { type Action, parseActions, parseConditions, renderAction } from './aws-elbv2-rules.js';
import {
  type Elbv2Store,
  RULES_PER_LOAD_BALANCER,
  type RuleRecord,
  TARGET_GROUPS_PER_REGION,
  TARGETS_PER_TARGET_GROUP,
  type Tag,
  type TargetGroupRecord,
} from './aws-elbv2-store.js';
import { AwsError, isObject, type JsonObject } from './aws-shared.js';
import type { HttpReply } from './http.js';

/**
 * The Elastic Load Balancing v2 half of the AWS stand-in (query protocol,
 * Version 2015-12-01), for the operations the bot sends to route review apps
 * through one shared Application Load Balancer. Errors are the API
 * reference's codes for each operation.
 */

type Handler = (store: Elbv2Store, input: JsonObject) => JsonObject;

const HANDLERS: Record<string, Handler> = {
  DescribeLoadBalancers: (store, input) => {
    const arns = strings(input, 'LoadBalancerArns');
    const names = strings(input, 'Names');
    const all = [...store.loadBalancers.values()];
    const selected =
      arns.length > 0
        ? arns.map((arn) => store.loadBalancer(arn))
        : names.length > 0
          ? names.map((name) => {
              const found = all.find((lb) => lb.name === name);
              if (!found)
                throw new AwsError('LoadBalancerNotFound', `Load balancers '[${name}]' not found`);
              return found;
            })
          : all;
    return {
      LoadBalancers: selected.map((lb) => ({
        LoadBalancerArn: lb.arn,
        DNSName: lb.dnsName,
        CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
        CreatedTime: new Date(lb.createdAt),
        LoadBalancerName: lb.name,
        Scheme: 'internet-facing',
        VpcId: lb.vpcId,
        State: { Code: 'active' },
        Type: 'application',
        AvailabilityZones: lb.subnets.map((id) => ({
          ZoneName: store.network.subnet(id)?.availabilityZone,
          SubnetId: id,
        })),
        SecurityGroups: lb.securityGroups,
        IpAddressType: 'ipv4',
      })),
    };
  },
  DescribeListeners: (store, input) => {
    const arns = strings(input, 'ListenerArns');
    const balancer = text(input, 'LoadBalancerArn');
    if (arns.length === 0 && !balancer) {
      throw validationError('You must specify either listener ARNs or a load balancer ARN');
    }
    if (balancer) store.loadBalancer(balancer);
    const selected =
      arns.length > 0
        ? arns.map((arn) => store.listener(arn))
        : [...store.listeners.values()].filter((l) => l.loadBalancerArn === balancer);
    return {
      Listeners: selected.map((l) => ({
        ListenerArn: l.arn,
        LoadBalancerArn: l.loadBalancerArn,
        Port: l.port,
        Protocol: l.protocol,
        Certificates: l.certificates.slice(0, 1).map((arn) => ({ CertificateArn: arn })),
        ...(l.protocol === 'HTTPS' ? { SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' } : {}),
        DefaultActions: l.defaultActions.map(renderAction),
      })),
    };
  },
  DescribeListenerCertificates: (store, input) => {
    const listener = store.listener(required(input, 'ListenerArn'));
    return {
      Certificates: listener.certificates.map((arn, index) => ({
        CertificateArn: arn,
        IsDefault: index === 0,
      })),
    };
  },
  DescribeRules: (store, input) => {
    const arns = strings(input, 'RuleArns');
    const listener = text(input, 'ListenerArn');
    if (arns.length === 0 && !listener) {
      throw validationError('You must specify either listener rule ARNs or a listener ARN');
    }
    if (listener) store.listener(listener);
    const selected =
      arns.length > 0 ? arns.map((arn) => store.rule(arn)) : store.rulesOf(listener ?? '');
    // DescribeRules PageSize: 1 to 400 (API reference); Marker continues.
    const { items, marker } = page(input, selected, 400);
    const shown = items.map(renderRule);
    // The default rule comes last, after every numbered rule, on the last page.
    if (listener && arns.length === 0 && !marker) {
      shown.push(defaultRule(listener, store.listener(listener).defaultActions));
    }
    return { Rules: shown, ...(marker ? { NextMarker: marker } : {}) };
  },
  CreateRule: (store, input) => {
    const listener = store.listener(required(input, 'ListenerArn'));
    const priority = priorityOf(required(input, 'Priority'));
    const conditions = parseConditions(input);
    if (conditions.length === 0) throw validationError('A rule must have at least one condition');
    const actions = parseActions(input, {
      protocol: listener.protocol,
      targetGroup: (arn) => store.targetGroup(arn),
    });
    if (store.rulesOf(listener.arn).some((r) => r.priority === priority)) {
      throw new AwsError('PriorityInUse', `Priority '${priority}' is currently in use`);
    }
    if (store.rulesOnLoadBalancer(listener.loadBalancerArn) >= RULES_PER_LOAD_BALANCER) {
      throw new AwsError(
        'TooManyRules',
        `You've reached the limit on the number of rules per load balancer: ${RULES_PER_LOAD_BALANCER}`,
      );
    }
    store.checkForwarding(listener, actions);
    const tags = parseTags(input);
    const rule = store.addRule({ listenerArn: listener.arn, priority, conditions, actions });
    store.tags.set(rule.arn, tags);
    return { Rules: [renderRule(rule)] };
  },
  ModifyRule: (store, input) => {
    const rule = store.rule(required(input, 'RuleArn'));
    const listener = store.listener(rule.listenerArn);
    const conditions = input.Conditions !== undefined ? parseConditions(input) : rule.conditions;
    const existingSecret = rule.actions.find((a) => a.Type === 'authenticate-oidc')
      ?.AuthenticateOidcConfig as { ClientSecret?: string } | undefined;
    const actions =
      input.Actions !== undefined
        ? parseActions(input, {
            protocol: listener.protocol,
            targetGroup: (arn) => store.targetGroup(arn),
            existingSecret: existingSecret?.ClientSecret,
          })
        : rule.actions;
    store.checkForwarding(listener, actions, rule);
    rule.conditions = conditions;
    rule.actions = actions;
    return { Rules: [renderRule(rule)] };
  },
  DeleteRule: (store, input) => {
    const arn = required(input, 'RuleArn');
    if (isDefaultRuleArn(store, arn)) {
      throw new AwsError('OperationNotPermitted', 'The default rule cannot be deleted');
    }
    store.rule(arn);
    store.rules.delete(arn);
    store.tags.delete(arn);
    return {};
  },
  SetRulePriorities: (store, input) => {
    const changes = objects(input, 'RulePriorities').map((p) => ({
      rule: store.rule(required(p, 'RuleArn')),
      priority: priorityOf(required(p, 'Priority')),
    }));
    for (const { rule, priority } of changes) {
      const taken = store
        .rulesOf(rule.listenerArn)
        .some((r) => r.priority === priority && !changes.some((c) => c.rule === r));
      const twice = changes.filter(
        (c) => c.rule.listenerArn === rule.listenerArn && c.priority === priority,
      );
      if (taken || twice.length > 1) {
        throw new AwsError('PriorityInUse', `Priority '${priority}' is currently in use`);
      }
    }
    for (const { rule, priority } of changes) rule.priority = priority;
    return { Rules: changes.map((c) => renderRule(c.rule)) };
  },
  CreateTargetGroup: (store, input) => createTargetGroup(store, input),
  DescribeTargetGroups: (store, input) => {
    const arns = strings(input, 'TargetGroupArns');
    const names = strings(input, 'Names');
    const balancer = text(input, 'LoadBalancerArn');
    if (balancer) store.loadBalancer(balancer);
    const all = [...store.targetGroups.values()];
    const selected =
      arns.length > 0
        ? arns.map((arn) => store.targetGroup(arn))
        : names.length > 0
          ? names.map((name) => {
              const found = all.find((g) => g.name === name);
              if (!found)
                throw new AwsError('TargetGroupNotFound', `One or more target groups not found`);
              return found;
            })
          : balancer
            ? all.filter((g) => store.loadBalancersOf(g.arn).includes(balancer))
            : all;
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
  DescribeTags: (store, input) => {
    const arns = strings(input, 'ResourceArns');
    // DescribeTags ResourceArns: "Maximum number of 20 items" (API reference).
    if (arns.length === 0 || arns.length > 20) {
      throw validationError('ResourceArns must list between 1 and 20 resources');
    }
    return {
      TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: tagsOf(store, arn) })),
    };
  },
  AddTags: (store, input) => {
    const arns = strings(input, 'ResourceArns');
    if (arns.length === 0 || arns.length > 20) {
      throw validationError('ResourceArns must list between 1 and 20 resources');
    }
    const changes = parseTags(input);
    if (changes.length === 0) throw validationError('Tags must not be empty');
    for (const arn of arns) {
      const merged = new Map(tagsOf(store, arn).map((t) => [t.Key, t.Value]));
      for (const tag of changes) merged.set(tag.Key, tag.Value);
      // "Each resource can have a maximum of 50 tags" (AddTags: TooManyTags).
      if (merged.size > 50)
        throw new AwsError(
          'TooManyTags',
          "You've reached the limit on the number of tags for this resource",
        );
      store.tags.set(
        arn,
        [...merged].map(([Key, Value]) => ({ Key, Value })),
      );
    }
    return {};
  },
  RemoveTags: (store, input) => {
    const keys = strings(input, 'TagKeys');
    for (const arn of strings(input, 'ResourceArns')) {
      store.tags.set(
        arn,
        tagsOf(store, arn).filter((t) => !keys.includes(t.Key)),
      );
    }
    return {};
  },
};

export const ELBV2_ACTIONS = new Set(Object.keys(HANDLERS));

export function handleElbv2(params: URLSearchParams, store: Elbv2Store): HttpReply {
  try {
    const action = params.get('Action') ?? '';
    if (params.get('Version') !== ELBV2_VERSION) {
      throw new AwsError('InvalidAction', `Version must be ${ELBV2_VERSION}`);
    }
    const handler = HANDLERS[action];
    if (!handler)
      throw new AwsError(
        'InvalidAction',
        `The action ${action} is not valid for this web service.`,
      );
    return queryAnswer(action, handler(store, parseQuery(params)));
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    return queryError(error);
  }
}

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
  if (store.targetGroups.size >= TARGET_GROUPS_PER_REGION) {
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

/** CreateRule Priority: "A listener can't have multiple rules with the same priority", 1–50000. */
function priorityOf(raw: string): number {
  const priority = Number(raw);
  if (!Number.isInteger(priority) || priority < 1 || priority > 50_000) {
    throw validationError(`Priority '${raw}' must be between 1 and 50000`);
  }
  return priority;
}

/** ELB tags: key 1–128, value 0–256, letters, digits, spaces and `_ . : / = + - @`; `aws:` reserved. */
function parseTags(input: JsonObject): Tag[] {
  const tags = objects(input, 'Tags').map((raw) => ({
    Key: required(raw, 'Key'),
    Value: text(raw, 'Value') ?? '',
  }));
  const pattern = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
  const keys = new Set<string>();
  for (const { Key, Value } of tags) {
    if (Key.length > 128 || Value.length > 256 || !pattern.test(Key) || !pattern.test(Value)) {
      throw validationError(
        `Tag '${Key}' has a key or value that is too long or has characters that are not allowed`,
      );
    }
    if (Key.toLowerCase().startsWith('aws:'))
      throw validationError('Tag keys starting with aws: are reserved');
    if (keys.has(Key)) throw new AwsError('DuplicateTagKeys', `Tag key '${Key}' is duplicated`);
    keys.add(Key);
  }
  if (tags.length > 50)
    throw new AwsError(
      'TooManyTags',
      "You've reached the limit on the number of tags for this resource",
    );
  return tags;
}

function tagsOf(store: Elbv2Store, arn: string): Tag[] {
  const tags = store.tags.get(arn);
  if (tags) return tags;
  if (arn.includes(':targetgroup/'))
    throw new AwsError('TargetGroupNotFound', `Target groups '${arn}' not found`);
  if (arn.includes(':listener-rule/'))
    throw new AwsError('RuleNotFound', 'One or more rules not found');
  if (arn.includes(':listener/'))
    throw new AwsError('ListenerNotFound', `Listener '${arn}' not found`);
  throw new AwsError('LoadBalancerNotFound', `Load balancer '${arn}' not found`);
}

function renderRule(rule: RuleRecord): JsonObject {
  return {
    RuleArn: rule.arn,
    Priority: String(rule.priority),
    Conditions: rule.conditions,
    Actions: rule.actions.map(renderAction),
    IsDefault: false,
  };
}

/** The listener's default rule, as DescribeRules lists it: priority "default", no conditions. */
function defaultRule(listenerArn: string, actions: Action[]): JsonObject {
  return {
    RuleArn: defaultRuleArn(listenerArn),
    Priority: 'default',
    Conditions: [],
    Actions: actions.map(renderAction),
    IsDefault: true,
  };
}

const defaultRuleArn = (listenerArn: string) =>
  `${listenerArn.replace(':listener/', ':listener-rule/')}/default`;

function isDefaultRuleArn(store: Elbv2Store, arn: string): boolean {
  return [...store.listeners.keys()].some((l) => defaultRuleArn(l) === arn);
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

/** `PageSize` (1 to `max`) and `Marker`, as Describe* page. */
function page<T>(input: JsonObject, all: T[], max: number): { items: T[]; marker?: string } {
  const size = integer(input, 'PageSize') ?? max;
  if (size < 1 || size > max) throw validationError(`PageSize must be between 1 and ${max}`);
  const marker = text(input, 'Marker');
  const start = marker === undefined ? 0 : Number(Buffer.from(marker, 'base64url').toString());
  if (!Number.isInteger(start) || start < 0 || start > all.length)
    throw validationError('Invalid Marker');
  const end = start + size;
  return end < all.length
    ? { items: all.slice(start, end), marker: Buffer.from(String(end)).toString('base64url') }
    : { items: all.slice(start) };
}
