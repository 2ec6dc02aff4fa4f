import {
  ELBV2_VERSION,
  objects,
  page,
  parseQuery,
  parseTags,
  queryAnswer,
  queryError,
  required,
  selectByArnsOrNames,
  strings,
  text,
  validationError,
} from './aws-elbv2-query.js';
import { type Action, parseActions, parseConditions, renderAction } from './aws-elbv2-rules.js';
import type { Elbv2Store, RuleRecord, Tag } from './aws-elbv2-store.js';
import { TARGET_GROUP_HANDLERS } from './aws-elbv2-target-groups.js';
import { AwsError, type JsonObject } from './aws-shared.js';
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
      selectByArnsOrNames(
        { arns, names },
        all,
        (arn) => store.loadBalancer(arn),
        (name) => new AwsError('LoadBalancerNotFound', `Load balancers '[${name}]' not found`),
      ) ?? all;
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
    if (store.rulesOnLoadBalancer(listener.loadBalancerArn) >= store.quotas.rulesPerLoadBalancer) {
      throw new AwsError(
        'TooManyRules',
        `You've reached the limit on the number of rules per load balancer: ${store.quotas.rulesPerLoadBalancer}`,
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
  ...TARGET_GROUP_HANDLERS,
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

/** CreateRule Priority: "A listener can't have multiple rules with the same priority", 1–50000. */
function priorityOf(raw: string): number {
  const priority = Number(raw);
  if (!Number.isInteger(priority) || priority < 1 || priority > 50_000) {
    throw validationError(`Priority '${raw}' must be between 1 and 50000`);
  }
  return priority;
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
