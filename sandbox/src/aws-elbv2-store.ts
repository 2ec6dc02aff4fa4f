import { createHash, randomBytes } from 'node:crypto';
import type { Ec2Network } from './aws-ec2-network.js';
import {
  AppHealth,
  healthOf,
  inCidr,
  type Registration,
  type TargetHealth,
} from './aws-elbv2-health.js';
import type { Action, Condition } from './aws-elbv2-rules.js';
import { AwsError } from './aws-shared.js';

/**
 * What an account's Elastic Load Balancing holds: load balancers (seeded, as
 * the operator creates them once), their listeners and rules, target groups,
 * targets and tags. The protocol lives in aws-elbv2.ts; the refusals that
 * concern one request's shape in aws-elbv2-rules.ts.
 */

export interface LoadBalancerRecord {
  arn: string;
  name: string;
  dnsName: string;
  vpcId: string;
  subnets: string[];
  securityGroups: string[];
  createdAt: number;
}

export interface ListenerRecord {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  certificates: string[];
  defaultActions: Action[];
}

export interface RuleRecord {
  arn: string;
  listenerArn: string;
  priority: number;
  conditions: Condition[];
  actions: Action[];
}

export interface TargetGroupRecord {
  arn: string;
  name: string;
  protocol: string;
  port: number;
  vpcId: string;
  targetType: 'ip' | 'instance' | 'lambda' | 'alb';
  healthCheck: {
    protocol: string;
    port: string;
    path: string;
    intervalSeconds: number;
    timeoutSeconds: number;
    healthyThreshold: number;
    unhealthyThreshold: number;
    matcher: string;
  };
  attributes: Map<string, string>;
  targets: Registration[];
}

export interface Tag {
  Key: string;
  Value: string;
}

/** "Target groups per Region: 3,000" (quotas page); per load balancer: 100, not adjustable. */
export const TARGET_GROUPS_PER_REGION = 3000;
export const TARGET_GROUPS_PER_LOAD_BALANCER = 100;
/** "Rules per Application Load Balancer (excluding default rules): 100" (quotas page). */
export const RULES_PER_LOAD_BALANCER = 100;
/** "Targets per Target Group per Region (instances or IP addresses): 1,000". */
export const TARGETS_PER_TARGET_GROUP = 1000;

/**
 * The quotas the stand-in enforces: AWS's defaults unless told otherwise. Rules per
 * load balancer and target groups per Region are adjustable in Service Quotas; target
 * groups per load balancer is not, so a larger value seeds a state no real ALB reaches
 * (the benchmark does, to show how reading 1,000 apps' rules and target groups scales).
 */
export interface Elbv2Quotas {
  rulesPerLoadBalancer: number;
  targetGroupsPerLoadBalancer: number;
  targetGroupsPerRegion: number;
}

export const DEFAULT_ELBV2_QUOTAS: Elbv2Quotas = {
  rulesPerLoadBalancer: RULES_PER_LOAD_BALANCER,
  targetGroupsPerLoadBalancer: TARGET_GROUPS_PER_LOAD_BALANCER,
  targetGroupsPerRegion: TARGET_GROUPS_PER_REGION,
};

export class Elbv2Store {
  readonly loadBalancers = new Map<string, LoadBalancerRecord>();
  readonly listeners = new Map<string, ListenerRecord>();
  readonly rules = new Map<string, RuleRecord>();
  readonly targetGroups = new Map<string, TargetGroupRecord>();
  readonly tags = new Map<string, Tag[]>();
  readonly app: AppHealth;

  constructor(
    readonly region: string,
    readonly accountId: string,
    readonly now: () => number,
    readonly network: Ec2Network,
    readonly quotas: Elbv2Quotas = DEFAULT_ELBV2_QUOTAS,
  ) {
    this.app = new AppHealth(now);
  }

  private arn(resource: string): string {
    return `arn:aws:elasticloadbalancing:${this.region}:${this.accountId}:${resource}`;
  }

  addLoadBalancer(input: {
    name: string;
    subnets: string[];
    securityGroups: string[];
  }): LoadBalancerRecord {
    const id = hex(8);
    const subnet = this.network.subnet(input.subnets[0] ?? '');
    if (!subnet)
      throw new Error(`AWS stand-in: no subnet ${input.subnets[0]} for the load balancer`);
    const record: LoadBalancerRecord = {
      arn: this.arn(`loadbalancer/app/${input.name}/${id}`),
      name: input.name,
      dnsName: `${input.name}-${parseInt(id.slice(0, 8), 16)}.${this.region}.elb.amazonaws.com`,
      vpcId: subnet.vpcId,
      subnets: input.subnets,
      securityGroups: input.securityGroups,
      createdAt: this.now(),
    };
    this.loadBalancers.set(record.arn, record);
    this.tags.set(record.arn, []);
    return record;
  }

  addListener(input: Omit<ListenerRecord, 'arn'>): ListenerRecord {
    const balancer = this.loadBalancer(input.loadBalancerArn);
    const record: ListenerRecord = {
      ...input,
      arn: `${balancer.arn.replace(':loadbalancer/', ':listener/')}/${hex(8)}`,
    };
    this.listeners.set(record.arn, record);
    this.tags.set(record.arn, []);
    return record;
  }

  loadBalancer(arn: string): LoadBalancerRecord {
    const record = this.loadBalancers.get(arn);
    if (!record) throw new AwsError('LoadBalancerNotFound', `Load balancer '${arn}' not found`);
    return record;
  }

  listener(arn: string): ListenerRecord {
    const record = this.listeners.get(arn);
    if (!record) throw new AwsError('ListenerNotFound', `Listener '${arn}' not found`);
    return record;
  }

  rule(arn: string): RuleRecord {
    const record = this.rules.get(arn);
    if (!record) throw new AwsError('RuleNotFound', `One or more rules not found`);
    return record;
  }

  targetGroup(arn: string): TargetGroupRecord {
    const record = this.targetGroups.get(arn);
    if (!record) throw new AwsError('TargetGroupNotFound', `Target groups '${arn}' not found`);
    return record;
  }

  /** Rules of a listener, the default rule (priority Infinity) last. */
  rulesOf(listenerArn: string): RuleRecord[] {
    return [...this.rules.values()]
      .filter((r) => r.listenerArn === listenerArn)
      .sort((a, b) => a.priority - b.priority);
  }

  /** The target groups a load balancer's listeners and rules send traffic to. */
  targetGroupsOf(loadBalancerArn: string, extra: Action[] = []): Set<string> {
    const listeners = [...this.listeners.values()].filter(
      (l) => l.loadBalancerArn === loadBalancerArn,
    );
    const actions = [
      ...listeners.flatMap((l) => l.defaultActions),
      ...[...this.rules.values()]
        .filter((r) => listeners.some((l) => l.arn === r.listenerArn))
        .flatMap((r) => r.actions),
      ...extra,
    ];
    return new Set(actions.flatMap(forwardedTo));
  }

  loadBalancersOf(targetGroupArn: string): string[] {
    return [...this.loadBalancers.keys()].filter((lb) =>
      this.targetGroupsOf(lb).has(targetGroupArn),
    );
  }

  /** A target group may serve one load balancer ("Load balancers per target group: 1"). */
  checkForwarding(listener: ListenerRecord, actions: Action[], replacing?: RuleRecord): void {
    const balancer = listener.loadBalancerArn;
    for (const arn of actions.flatMap(forwardedTo)) {
      const group = this.targetGroup(arn);
      if (group.vpcId !== this.loadBalancer(balancer).vpcId) {
        throw new AwsError(
          'InvalidConfigurationRequest',
          `Target group '${arn}' is in another VPC than the load balancer`,
        );
      }
      const others = this.loadBalancersOf(arn).filter((lb) => lb !== balancer);
      if (others.length > 0) {
        throw new AwsError(
          'TargetGroupAssociationLimit',
          `The following target groups cannot be associated with more than one load balancer: ${arn}`,
        );
      }
    }
    // Counted without the rule being replaced, with the actions it would have.
    const saved = replacing ? this.rules.get(replacing.arn) : undefined;
    if (replacing) this.rules.delete(replacing.arn);
    try {
      const unique = this.targetGroupsOf(balancer, actions).size;
      if (unique > this.quotas.targetGroupsPerLoadBalancer) {
        // CreateRule/ModifyRule errors: TooManyUniqueTargetGroupsPerLoadBalancer, "You've
        // reached the limit on the number of unique target groups per load balancer across
        // all listeners. If a target group is used by multiple actions for a load balancer,
        // it is counted as only one use."
        throw new AwsError(
          'TooManyUniqueTargetGroupsPerLoadBalancer',
          `You've reached the limit on the number of unique target groups per load balancer across all listeners: ${this.quotas.targetGroupsPerLoadBalancer}`,
        );
      }
    } finally {
      if (saved) this.rules.set(saved.arn, saved);
    }
  }

  addRule(input: Omit<RuleRecord, 'arn'>): RuleRecord {
    const listener = this.listener(input.listenerArn);
    const rule: RuleRecord = {
      ...input,
      arn: `${listener.arn.replace(':listener/', ':listener-rule/')}/${hex(8)}`,
    };
    this.rules.set(rule.arn, rule);
    return rule;
  }

  rulesOnLoadBalancer(loadBalancerArn: string): number {
    return [...this.rules.values()].filter(
      (r) => this.listener(r.listenerArn).loadBalancerArn === loadBalancerArn,
    ).length;
  }

  /** Where an IP target of a group in `vpcId` may be: in one of the VPC's subnets. */
  checkTarget(
    group: TargetGroupRecord,
    target: { id: string; port: number; zone?: string | undefined },
  ): void {
    if (group.targetType !== 'ip') {
      throw new AwsError(
        'InvalidTarget',
        `The stand-in registers only IP targets, not ${group.targetType}`,
      );
    }
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
      throw validation(`Port ${target.port} must be between 1 and 65535`);
    }
    // RegisterTargets: "If the target type is ip, specify an IP address… from the subnets of
    // the virtual private cloud (VPC) for the target group"; an address outside the VPC
    // needs AvailabilityZone "all" and a private range, which review apps never use.
    const subnets = this.network.subnetsOf(group.vpcId);
    if (target.zone !== 'all' && !subnets.some((s) => inCidr(target.id, s.cidrBlock))) {
      throw new AwsError(
        'InvalidTarget',
        `The IP address '${target.id}' is not within the subnets of VPC '${group.vpcId}'`,
      );
    }
  }

  health(group: TargetGroupRecord, target: Registration): TargetHealth | undefined {
    return healthOf(
      target,
      {
        intervalSeconds: group.healthCheck.intervalSeconds,
        healthyThreshold: group.healthCheck.healthyThreshold,
        unhealthyThreshold: group.healthCheck.unhealthyThreshold,
        deregistrationDelaySeconds: Number(
          group.attributes.get('deregistration_delay.timeout_seconds'),
        ),
        inUse: this.loadBalancersOf(group.arn).length > 0,
      },
      this.app,
      this.now(),
    );
  }

  /** Forgets targets whose draining has ended. */
  settle(group: TargetGroupRecord): void {
    group.targets = group.targets.filter((t) => this.health(group, t) !== undefined);
  }

  newTargetGroupArn(name: string): string {
    const id = createHash('sha256')
      .update(`${name}:${this.now()}:${hex(4)}`)
      .digest('hex')
      .slice(0, 16);
    return this.arn(`targetgroup/${name}/${id}`);
  }
}

export function forwardedTo(action: Action): string[] {
  if (action.Type !== 'forward') return [];
  const config = action.ForwardConfig as
    | { TargetGroups?: { TargetGroupArn: string }[] }
    | undefined;
  const arns = config?.TargetGroups?.map((g) => g.TargetGroupArn) ?? [];
  return arns.length > 0
    ? arns
    : typeof action.TargetGroupArn === 'string'
      ? [action.TargetGroupArn]
      : [];
}

const validation = (message: string) => new AwsError('ValidationError', message);
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
