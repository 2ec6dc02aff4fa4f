import type { LoadBalancerSettings } from '../aws/settings.js';
import type { Env } from './config.js';

/**
 * The shared load balancer's settings from the environment, each problem named
 * by its variable. Without LOAD_BALANCER_LISTENER_ARN the feature is off and
 * nothing else here is read. Values are never echoed (the client secret is one).
 */
export function parseLoadBalancerSettings(env: Env): {
  settings?: LoadBalancerSettings;
  problems: string[];
} {
  const text = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const listenerArn = text('LOAD_BALANCER_LISTENER_ARN');
  if (!listenerArn) {
    const orphans = ['REVIEW_APP_DOMAIN', 'ALLOWED_SOURCE_CIDRS', 'OIDC_ISSUER'].filter(text);
    return {
      problems: orphans.map(
        (name) =>
          `${name}: needs LOAD_BALANCER_LISTENER_ARN (the HTTPS listener of the shared load balancer)`,
      ),
    };
  }
  const problems: string[] = [];
  if (
    !/^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:listener\/app\/[\w-]+\/[0-9a-f]+\/[0-9a-f]+$/.test(
      listenerArn,
    )
  ) {
    problems.push(
      'LOAD_BALANCER_LISTENER_ARN: must be an Application Load Balancer listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id>)',
    );
  }
  const domain = text('REVIEW_APP_DOMAIN')?.toLowerCase();
  if (!domain) {
    problems.push(
      'REVIEW_APP_DOMAIN: is required with LOAD_BALANCER_LISTENER_ARN (e.g. review.example.com)',
    );
  } else if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]+$/.test(domain)) {
    problems.push(
      'REVIEW_APP_DOMAIN: must be a DNS name such as review.example.com (no scheme, no wildcard)',
    );
  }
  const hostTemplate = text('REVIEW_APP_HOST_TEMPLATE') ?? 'mr-{mr}.{domain}';
  if (!hostTemplate.includes('{mr}') || !hostTemplate.endsWith('.{domain}')) {
    problems.push(
      'REVIEW_APP_HOST_TEMPLATE: must contain {mr} and end with .{domain} (e.g. mr-{mr}.{domain})',
    );
  } else {
    const label = hostTemplate.slice(0, -'.{domain}'.length);
    const unknown = label.replace(/\{(mr|project|random)\}/g, '').match(/\{[^}]*\}/g);
    if (label.includes('.')) {
      // The wildcard certificate *.domain covers one level only.
      problems.push(
        'REVIEW_APP_HOST_TEMPLATE: must add one label before .{domain}: the wildcard certificate covers one level',
      );
    } else if (unknown) {
      problems.push(
        `REVIEW_APP_HOST_TEMPLATE: unknown placeholder ${unknown[0]} (known: {mr}, {project}, {random})`,
      );
    } else if (!/^[a-z0-9-]*$/i.test(label.replace(/\{(mr|project|random)\}/g, ''))) {
      problems.push(
        'REVIEW_APP_HOST_TEMPLATE: may hold only letters, digits and hyphens besides its placeholders',
      );
    }
  }
  const healthPath = text('HEALTH_CHECK_PATH') ?? '/';
  if (!healthPath.startsWith('/') || healthPath.length > 1024) {
    problems.push('HEALTH_CHECK_PATH: must be a path starting with / (at most 1024 characters)');
  }
  const codes = text('HEALTH_CHECK_CODES') ?? '200-399';
  if (!/^[1-5]\d\d([-,][1-5]\d\d)*$/.test(codes)) {
    problems.push('HEALTH_CHECK_CODES: must be HTTP codes such as 200, 200-399 or 200,302');
  }
  const cidrs = (text('ALLOWED_SOURCE_CIDRS') ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const badCidr = cidrs.find((c) => !isCidr(c));
  if (badCidr !== undefined) {
    problems.push(
      'ALLOWED_SOURCE_CIDRS: must be a comma-separated list of CIDR blocks such as 203.0.113.0/24',
    );
  }
  const oidc = parseOidc(text, problems);
  if (problems.length > 0) return { problems };
  return {
    problems,
    settings: {
      listenerArn,
      domain: domain as string,
      hostTemplate,
      healthCheck: { path: healthPath, codes, intervalSeconds: 5, healthyThreshold: 2 },
      deregistrationDelaySeconds: 5,
      firstPriority: 10_000,
      access: { cidrs, ...(oidc ? { oidc } : {}) },
    },
  };
}

function parseOidc(text: (name: string) => string | undefined, problems: string[]) {
  const names = {
    issuer: 'OIDC_ISSUER',
    authorizationEndpoint: 'OIDC_AUTHORIZATION_ENDPOINT',
    tokenEndpoint: 'OIDC_TOKEN_ENDPOINT',
    userInfoEndpoint: 'OIDC_USER_INFO_ENDPOINT',
    clientId: 'OIDC_CLIENT_ID',
    clientSecret: 'OIDC_CLIENT_SECRET',
  } as const;
  const values = Object.fromEntries(
    Object.entries(names).map(([field, name]) => [field, text(name)]),
  );
  if (Object.values(values).every((v) => v === undefined)) return undefined;
  for (const [field, name] of Object.entries(names)) {
    if (!values[field]) problems.push(`${name}: is required to sign people in with OpenID Connect`);
    else if (
      field !== 'clientId' &&
      field !== 'clientSecret' &&
      !/^https:\/\/[^\s/]+/.test(values[field] as string)
    ) {
      problems.push(`${name}: must be an https:// URL`);
    }
  }
  const scope = text('OIDC_SCOPE');
  return { ...(values as Record<keyof typeof names, string>), ...(scope ? { scope } : {}) };
}

function isCidr(value: string): boolean {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(value);
  if (match)
    return match[1]?.split('.').every((o) => Number(o) <= 255) === true && Number(match[2]) <= 32;
  const v6 = /^([0-9a-f:]+)\/(\d{1,3})$/i.exec(value);
  return v6 !== null && v6[1]?.includes(':') === true && Number(v6[2]) <= 128;
}
