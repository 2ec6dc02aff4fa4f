import { createHash, randomBytes } from 'node:crypto';
import type { RoutedAppKey } from '../core/ports.js';
import { decodeTagValue, encodeTagValue, TAG_PREFIX } from '../core/tags.js';
import type { Action, RuleCondition, Tag } from './sdk/elbv2.js';
import type { LoadBalancerSettings } from './settings.js';

/**
 * What the bot's rules and target groups look like on the shared load balancer,
 * computed from the app and the settings alone (no calls): names, tags,
 * conditions and actions as ALB requires them.
 */

export const ROUTE_TAGS = {
  project: `${TAG_PREFIX}project`,
  mr: `${TAG_PREFIX}mr`,
  task: `${TAG_PREFIX}task`,
  /** Which of an app's rules this is (0, 1, …), when the allowed networks need several. */
  part: `${TAG_PREFIX}route-part`,
  /** `live`, or `ended` with `ended-until` (ISO time) until the page goes. */
  state: `${TAG_PREFIX}route-state`,
  endedUntil: `${TAG_PREFIX}ended-until`,
  routedAt: `${TAG_PREFIX}routed-at`,
} as const;

/**
 * "You can specify up to three match evaluations per condition" and "up to five match
 * evaluations per rule"; a rule has at most one source-ip condition (Condition types for
 * listener rules, ALB guide). Conditions are ANDed, so more networks than fit one
 * condition need more rules, each with the host and a share of the networks (as AWS
 * Copilot does, aws/copilot-cli#4961).
 */
export const CIDRS_PER_RULE = 3;

/** Target group names: at most 32 letters, digits and hyphens, unique in the region. */
export function targetGroupName(app: RoutedAppKey): string {
  const hash = createHash('sha256').update(app.project).digest('hex').slice(0, 8);
  return `ra-${hash}-mr${app.mr}`;
}

/** What `{project}` stands for in a host name: the path's last part, as a DNS label. */
export function projectSlug(path: string): string {
  return (path.split('/').at(-1) ?? path)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** An app's target group as the bot creates it: IP targets, health checks tuned for review apps. */
export function targetGroupInput(
  name: string,
  vpcId: string,
  port: number,
  settings: Pick<LoadBalancerSettings, 'healthCheck'>,
) {
  const { healthCheck } = settings;
  return {
    Name: name,
    Protocol: 'HTTP' as const,
    Port: port,
    VpcId: vpcId,
    TargetType: 'ip' as const,
    HealthCheckPath: healthCheck.path,
    Matcher: { HttpCode: healthCheck.codes },
    HealthCheckIntervalSeconds: healthCheck.intervalSeconds,
    // The timeout must be shorter than the interval.
    HealthCheckTimeoutSeconds: Math.max(2, Math.min(5, healthCheck.intervalSeconds - 1)),
    HealthyThresholdCount: healthCheck.healthyThreshold,
    UnhealthyThresholdCount: 2,
  };
}

export function hostName(app: RoutedAppKey, settings: LoadBalancerSettings): string {
  const project = projectSlug(app.project);
  // Unlisted names: 10 letters and digits that nobody guesses (about 50 bits).
  const random = [...randomBytes(10)]
    .map((b) => 'abcdefghijkmnpqrstuvwxyz23456789'[b % 32])
    .join('');
  return settings.hostTemplate
    .replaceAll('{mr}', String(app.mr))
    .replaceAll('{project}', project)
    .replaceAll('{random}', random)
    .replaceAll('{domain}', settings.domain)
    .toLowerCase();
}

/**
 * The link to a name, as the listener the bot was given serves it: an HTTPS listener on 443
 * (the operator's, with the wildcard certificate) gives `https://<host>/` and an HTTP one on
 * 80 `http://<host>/`; any other port is written out (the sandbox's HTTP listener on the page's
 * port gives `http://<host>:3000/`). DescribeListeners reports `Protocol` (HTTP, HTTPS, …) and
 * `Port` (1-65535) for each listener (Listener, ELBv2 API reference); without them the link
 * stays https, as before the bot read them.
 */
export function appLink(host: string, listener: { protocol?: string; port?: number }): string {
  const scheme = listener.protocol === 'HTTP' ? 'http' : 'https';
  const usual = scheme === 'http' ? 80 : 443;
  const port = listener.port !== undefined && listener.port !== usual ? `:${listener.port}` : '';
  return `${scheme}://${host}${port}/`;
}

/** The networks of each of an app's rules: one rule for everyone, or one per share of networks. */
export function networkParts(settings: LoadBalancerSettings): (string[] | undefined)[] {
  const { cidrs } = settings.access;
  if (cidrs.length === 0) return [undefined];
  const parts: string[][] = [];
  for (let i = 0; i < cidrs.length; i += CIDRS_PER_RULE)
    parts.push(cidrs.slice(i, i + CIDRS_PER_RULE));
  return parts;
}

export function conditions(host: string, cidrs: string[] | undefined): RuleCondition[] {
  return [
    { Field: 'host-header', HostHeaderConfig: { Values: [host] } },
    ...(cidrs ? [{ Field: 'source-ip', SourceIpConfig: { Values: cidrs } }] : []),
  ];
}

/** Sign-in first when configured (ALB runs actions by Order), then the app or its page. */
export function actions(
  settings: LoadBalancerSettings,
  last: { forward: string } | { page: string },
  secret: 'send' | 'keep',
): Action[] {
  const { oidc } = settings.access;
  const signIn: Action[] = oidc
    ? [
        {
          Type: 'authenticate-oidc',
          Order: 1,
          AuthenticateOidcConfig: {
            Issuer: oidc.issuer,
            AuthorizationEndpoint: oidc.authorizationEndpoint,
            TokenEndpoint: oidc.tokenEndpoint,
            UserInfoEndpoint: oidc.userInfoEndpoint,
            ClientId: oidc.clientId,
            // Required on CreateRule; on ModifyRule the rule keeps the secret it holds.
            ...(secret === 'send'
              ? { ClientSecret: oidc.clientSecret }
              : { UseExistingClientSecret: true }),
            ...(oidc.scope ? { Scope: oidc.scope } : {}),
            OnUnauthenticatedRequest: 'authenticate',
          },
        },
      ]
    : [];
  const order = signIn.length + 1;
  const final: Action =
    'forward' in last
      ? { Type: 'forward', Order: order, TargetGroupArn: last.forward }
      : {
          Type: 'fixed-response',
          Order: order,
          FixedResponseConfig: {
            StatusCode: '410',
            ContentType: 'text/plain',
            // FixedResponseActionConfig MessageBody: at most 1,024 characters.
            MessageBody: last.page.slice(0, 1024),
          },
        };
  return [...signIn, final];
}

export function routeTags(
  app: RoutedAppKey,
  extra: Partial<Record<keyof typeof ROUTE_TAGS, string>>,
): Tag[] {
  const values: Record<string, string | undefined> = {
    project: app.project,
    mr: String(app.mr),
    ...extra,
  };
  return (Object.keys(ROUTE_TAGS) as (keyof typeof ROUTE_TAGS)[])
    .filter((field) => values[field] !== undefined)
    .map((field) => ({ Key: ROUTE_TAGS[field], Value: encodeTagValue(values[field] as string) }));
}

/** The app a resource's tags name, or undefined when the bot did not make it. */
export function appOfTags(
  tags: Tag[] | undefined,
): { app: RoutedAppKey; tags: Record<string, string> } | undefined {
  const read: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key?.startsWith(TAG_PREFIX)) read[tag.Key] = decodeTagValue(tag.Value ?? '').value;
  }
  const project = read[ROUTE_TAGS.project];
  const mr = Number(read[ROUTE_TAGS.mr]);
  if (!project || !Number.isInteger(mr)) return undefined;
  return { app: { project, mr }, tags: read };
}

export const sameApp = (a: RoutedAppKey, b: RoutedAppKey) =>
  a.project === b.project && a.mr === b.mr;
