import { inCidr } from './aws-elbv2-health.js';
import { valuesOf } from './aws-elbv2-rules.js';
import { type Elbv2Store, forwardedTo } from './aws-elbv2-store.js';

/**
 * What the operator sets up once (seeded, as the other `add*` helpers do),
 * and what the listener answers a request with, for tests and the sandbox
 * page server that plays the load balancer.
 */

export interface SeededLoadBalancer {
  loadBalancerArn: string;
  listenerArn: string;
  dnsName: string;
  vpcId: string;
  /** The listener's default certificate (none on an HTTP listener). */
  certificateArn: string | undefined;
  /** Every certificate of the listener, the default first. */
  certificateArns: string[];
}

export function seedLoadBalancer(
  store: Elbv2Store,
  input: {
    name?: string;
    subnets: string[];
    securityGroups: string[];
    protocol?: 'HTTP' | 'HTTPS';
    /** The HTTPS listener's certificates (ACM or IAM ARNs), the default first. */
    certificates: string[];
    /** The listener's port: 443 for HTTPS and 80 for HTTP unless given. */
    port?: number;
  },
): SeededLoadBalancer {
  const balancer = store.addLoadBalancer({
    name: input.name ?? 'review-apps',
    subnets: input.subnets,
    securityGroups: input.securityGroups,
  });
  const protocol = input.protocol ?? 'HTTPS';
  const listener = store.addListener({
    loadBalancerArn: balancer.arn,
    port: input.port ?? (protocol === 'HTTPS' ? 443 : 80),
    protocol,
    certificates: protocol === 'HTTPS' ? input.certificates : [],
    defaultActions: [
      {
        Type: 'fixed-response',
        Order: 1,
        FixedResponseConfig: {
          StatusCode: '404',
          ContentType: 'text/plain',
          MessageBody: 'Not found',
        },
      },
    ],
  });
  return {
    loadBalancerArn: balancer.arn,
    listenerArn: listener.arn,
    dnsName: balancer.dnsName,
    vpcId: balancer.vpcId,
    certificateArn: protocol === 'HTTPS' ? input.certificates[0] : undefined,
    certificateArns: protocol === 'HTTPS' ? [...input.certificates] : [],
  };
}

export type ListenerAnswer =
  | { kind: 'fixed-response'; status: number; contentType?: string; body: string; rule: string }
  | { kind: 'forward'; targets: string[]; rule: string }
  | { kind: 'sign-in'; issuer: string; clientId: string; rule: string };

/** The first rule (by priority, the default last) whose conditions all hold answers. */
export function answerFor(
  store: Elbv2Store,
  listenerArn: string,
  request: { host: string; sourceIp?: string },
): ListenerAnswer {
  const listener = store.listener(listenerArn);
  const matching = store.rulesOf(listenerArn).find((rule) =>
    rule.conditions.every((condition) => {
      const values = valuesOf(condition);
      if (condition.Field === 'host-header') return values.some((v) => glob(v, request.host));
      if (condition.Field === 'source-ip') {
        return (
          request.sourceIp !== undefined &&
          values.some((v) => inCidr(request.sourceIp as string, v))
        );
      }
      return false;
    }),
  );
  const actions = matching?.actions ?? listener.defaultActions;
  const rule = matching?.arn ?? 'default';
  const first = actions[0];
  if (first?.Type === 'authenticate-oidc') {
    const config = first.AuthenticateOidcConfig as { Issuer: string; ClientId: string };
    return { kind: 'sign-in', issuer: config.Issuer, clientId: config.ClientId, rule };
  }
  if (first?.Type === 'fixed-response') {
    const config = first.FixedResponseConfig as {
      StatusCode: string;
      ContentType?: string;
      MessageBody?: string;
    };
    return {
      kind: 'fixed-response',
      status: Number(config.StatusCode),
      ...(config.ContentType ? { contentType: config.ContentType } : {}),
      body: config.MessageBody ?? '',
      rule,
    };
  }
  // "If a target group contains only unhealthy registered targets, the load balancer routes
  // requests to all those targets, regardless of their health status" (ALB guide, Health
  // checks for target groups): it fails open.
  const targets = actions.flatMap(forwardedTo).flatMap((arn) => {
    const group = store.targetGroup(arn);
    const state = (t: (typeof group.targets)[number]) => store.health(group, t)?.State;
    const healthy = group.targets.filter((t) => state(t) === 'healthy');
    const serving =
      healthy.length > 0 ? healthy : group.targets.filter((t) => state(t) === 'unhealthy');
    return serving.map((t) => `${t.id}:${t.port}`);
  });
  return { kind: 'forward', targets, rule };
}

/** Host conditions match case-insensitively, `*` any run of characters, `?` one. */
function glob(pattern: string, host: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(host);
}
