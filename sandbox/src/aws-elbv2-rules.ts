import { integer, objects, required, strings, text, validationError } from './aws-elbv2-query.js';
import { AwsError, isObject, type JsonObject } from './aws-shared.js';

/**
 * Listener rules' conditions and actions, checked as ALB checks them. Every
 * refusal cites where AWS documents it:
 * - "Condition types for listener rules" (docs.aws.amazon.com/elasticloadbalancing/latest/
 *   application/rule-condition-types.html): at most one host-header, http-request-method,
 *   path-pattern and source-ip condition per rule; up to three match evaluations per
 *   condition and five per rule; five wildcards per rule; host names up to 128 characters of
 *   A–Z a–z 0–9 - . * ?, with at least one "." and only alphanumerics after the last one.
 * - "Quotas for your Application Load Balancers" (…/load-balancer-limits.html): condition
 *   values per rule 5, condition wildcards per rule 5, target groups per action 5.
 * - API reference, Action / AuthenticateOidcActionConfig / FixedResponseActionConfig.
 */

export interface Condition {
  Field: string;
  Values?: string[];
  HostHeaderConfig?: { Values: string[] };
  PathPatternConfig?: { Values: string[] };
  SourceIpConfig?: { Values: string[] };
}

export type Action = JsonObject & { Type: string; Order?: number };

const SINGLE_FIELDS = new Set(['host-header', 'http-request-method', 'path-pattern', 'source-ip']);
const FIELDS = new Set([...SINGLE_FIELDS, 'http-header', 'query-string']);
const CONFIG_OF: Record<string, keyof Condition> = {
  'host-header': 'HostHeaderConfig',
  'path-pattern': 'PathPatternConfig',
  'source-ip': 'SourceIpConfig',
};

const MAX_PER_CONDITION = 3;
const MAX_PER_RULE = 5;
const MAX_WILDCARDS = 5;

export function parseConditions(input: JsonObject): Condition[] {
  const conditions = objects(input, 'Conditions').map(parseCondition);
  const seen = new Set<string>();
  let values = 0;
  let wildcards = 0;
  for (const condition of conditions) {
    if (SINGLE_FIELDS.has(condition.Field)) {
      if (seen.has(condition.Field)) {
        throw validationError(`A rule can only have one '${condition.Field}' condition`);
      }
      seen.add(condition.Field);
    }
    const of = valuesOf(condition);
    values += of.length;
    if (condition.Field !== 'source-ip') {
      wildcards += of.reduce((n, v) => n + (v.match(/[*?]/g)?.length ?? 0), 0);
    }
  }
  if (values > MAX_PER_RULE) {
    throw validationError(`A rule can only have '${MAX_PER_RULE}' condition values`);
  }
  if (wildcards > MAX_WILDCARDS) {
    throw validationError(`A rule can only have '${MAX_WILDCARDS}' wildcards`);
  }
  return conditions;
}

export function valuesOf(condition: Condition): string[] {
  const config = CONFIG_OF[condition.Field];
  const configured = config ? (condition[config] as { Values: string[] } | undefined) : undefined;
  return configured?.Values ?? condition.Values ?? [];
}

function parseCondition(raw: JsonObject): Condition {
  const field = required(raw, 'Field');
  if (!FIELDS.has(field)) throw validationError(`Condition field '${field}' is not supported`);
  const legacy = strings(raw, 'Values');
  const configName = CONFIG_OF[field];
  const config =
    configName && isObject(raw[configName]) ? (raw[configName] as JsonObject) : undefined;
  const configured = config ? strings(config, 'Values') : [];
  if (legacy.length > 0 && configured.length > 0) {
    throw validationError(`You cannot specify both 'Values' and '${configName}' for a condition`);
  }
  const values = configured.length > 0 ? configured : legacy;
  if (values.length === 0) throw validationError(`A '${field}' condition must have values`);
  if (values.length > MAX_PER_CONDITION) {
    throw validationError(`A '${field}' condition can have at most ${MAX_PER_CONDITION} values`);
  }
  if (field === 'host-header') values.forEach(checkHost);
  if (field === 'source-ip') values.forEach(checkCidr);
  if (field === 'source-ip' && legacy.length > 0) {
    throw validationError("A 'source-ip' condition needs SourceIpConfig");
  }
  const condition: Condition = { Field: field };
  if (configName) condition[configName] = { Values: values } as never;
  else condition.Values = values;
  if (field === 'host-header' || field === 'path-pattern') condition.Values = values;
  return condition;
}

function checkHost(host: string): void {
  if (host.length > 128) {
    throw validationError(`The host header '${host}' is longer than 128 characters`);
  }
  if (!/^[A-Za-z0-9\-.*?]+$/.test(host)) {
    throw validationError(`The host header '${host}' contains characters that are not allowed`);
  }
  const last = host.lastIndexOf('.');
  if (last < 0 || !/^[A-Za-z0-9]+$/.test(host.slice(last + 1))) {
    throw validationError(
      `The host header '${host}' must contain a '.' followed only by alphanumeric characters`,
    );
  }
}

/** An IPv4 or IPv6 CIDR block ("Source IP address conditions": CIDR format, both families). */
function checkCidr(value: string): void {
  const [address, bits, extra] = value.split('/');
  const v4 =
    address !== undefined &&
    /^(\d{1,3})(\.\d{1,3}){3}$/.test(address) &&
    address.split('.').every((octet) => Number(octet) <= 255);
  const v6 = address !== undefined && /^[0-9a-fA-F:]+$/.test(address) && address.includes(':');
  const max = v4 ? 32 : 128;
  const prefix = Number(bits);
  if (extra !== undefined || (!v4 && !v6) || !/^\d+$/.test(bits ?? '') || prefix > max) {
    throw validationError(`The source IP '${value}' is not a valid CIDR block`);
  }
}

const ACTION_TYPES = new Set([
  'forward',
  'authenticate-oidc',
  'authenticate-cognito',
  'redirect',
  'fixed-response',
]);

/**
 * Actions as ALB accepts them: one terminal action (forward, redirect or
 * fixed-response) last, authenticate actions before it, every action with a
 * unique Order when orders are given; authenticate actions only on HTTPS listeners.
 */
export function parseActions(
  input: JsonObject,
  context: {
    protocol: string;
    targetGroup(arn: string): unknown;
    /** On ModifyRule, the secret the rule already holds (UseExistingClientSecret). */
    existingSecret?: string | undefined;
  },
  key = 'Actions',
): Action[] {
  const actions = objects(input, key).map((raw) => parseAction(raw, context));
  if (actions.length === 0) throw validationError('A rule must have at least one action');
  const ordered = actions.map((action, index) => ({ action, order: action.Order ?? index + 1 }));
  ordered.sort((a, b) => a.order - b.order);
  const orders = new Set(ordered.map((o) => o.order));
  if (orders.size !== ordered.length) {
    throw new AwsError('InvalidLoadBalancerAction', 'Action orders must be unique');
  }
  const terminal = ordered.filter((o) =>
    ['forward', 'redirect', 'fixed-response'].includes(o.action.Type),
  );
  const last = ordered.at(-1)?.action;
  if (
    terminal.length !== 1 ||
    !last ||
    !['forward', 'redirect', 'fixed-response'].includes(last.Type)
  ) {
    throw new AwsError(
      'InvalidLoadBalancerAction',
      'A rule needs exactly one forward, redirect or fixed-response action, and it must be last',
    );
  }
  return ordered.map((o) => ({ ...o.action, Order: o.order }));
}

function parseAction(
  raw: JsonObject,
  context: {
    protocol: string;
    targetGroup(arn: string): unknown;
    existingSecret?: string | undefined;
  },
): Action {
  const type = required(raw, 'Type');
  if (!ACTION_TYPES.has(type)) throw validationError(`Action type '${type}' is not valid`);
  const order = integer(raw, 'Order');
  if (order !== undefined && (order < 1 || order > 50_000)) {
    throw validationError('Action order must be between 1 and 50000');
  }
  const base: Action = { Type: type, ...(order !== undefined ? { Order: order } : {}) };
  switch (type) {
    case 'forward':
      return { ...base, ...forward(raw, context) };
    case 'fixed-response':
      return { ...base, FixedResponseConfig: fixedResponse(raw) };
    case 'authenticate-oidc':
      if (context.protocol !== 'HTTPS') {
        throw new AwsError(
          'InvalidLoadBalancerAction',
          'Authenticate actions are supported only on HTTPS listeners',
        );
      }
      return { ...base, AuthenticateOidcConfig: oidc(raw, context.existingSecret) };
    default:
      throw new AwsError(
        'InvalidLoadBalancerAction',
        `The stand-in does not serve '${type}' actions`,
      );
  }
}

function forward(raw: JsonObject, context: { targetGroup(arn: string): unknown }): JsonObject {
  const single = text(raw, 'TargetGroupArn');
  const config = isObject(raw.ForwardConfig) ? raw.ForwardConfig : undefined;
  const groups = config ? objects(config, 'TargetGroups') : [];
  if (!single && groups.length === 0) {
    throw validationError('A forward action needs TargetGroupArn or ForwardConfig');
  }
  // "Target groups per action per Application Load Balancer: 5" (quotas page).
  if (groups.length > 5)
    throw new AwsError('TooManyTargetGroups', 'A forward action can have at most 5 target groups');
  const arns = groups.map((g) => required(g, 'TargetGroupArn'));
  if (single && arns.length > 0 && !(arns.length === 1 && arns[0] === single)) {
    throw validationError('TargetGroupArn and ForwardConfig must name the same target group');
  }
  const all = single ? [single] : arns;
  for (const arn of all) context.targetGroup(arn);
  return {
    TargetGroupArn: all.length === 1 ? all[0] : undefined,
    ForwardConfig: {
      TargetGroups: all.map((arn) => ({ TargetGroupArn: arn, Weight: 1 })),
      TargetGroupStickinessConfig: { Enabled: false },
    },
  };
}

/** FixedResponseActionConfig: StatusCode 2XX/4XX/5XX, MessageBody up to 1024 characters. */
function fixedResponse(raw: JsonObject): JsonObject {
  const config = isObject(raw.FixedResponseConfig) ? raw.FixedResponseConfig : undefined;
  if (!config) throw validationError('A fixed-response action needs FixedResponseConfig');
  const status = required(config, 'StatusCode');
  if (!/^[245]\d\d$/.test(status))
    throw validationError(`Status code '${status}' must be 2XX, 4XX or 5XX`);
  const body = text(config, 'MessageBody');
  if (body !== undefined && body.length > 1024) {
    throw validationError('The fixed response message body can be at most 1024 characters');
  }
  const type = text(config, 'ContentType');
  const types = [
    'text/plain',
    'text/css',
    'text/html',
    'application/javascript',
    'application/json',
  ];
  if (type !== undefined && !types.includes(type)) {
    throw validationError(`Content type '${type}' is not valid`);
  }
  return { MessageBody: body, StatusCode: status, ContentType: type };
}

/**
 * AuthenticateOidcActionConfig: Issuer, AuthorizationEndpoint, TokenEndpoint,
 * UserInfoEndpoint and ClientId required; ClientSecret "required if you are
 * creating a rule", omitted on modify only with UseExistingClientSecret.
 */
function oidc(raw: JsonObject, existingSecret: string | undefined): JsonObject {
  const config = isObject(raw.AuthenticateOidcConfig) ? raw.AuthenticateOidcConfig : undefined;
  if (!config) throw validationError('An authenticate-oidc action needs AuthenticateOidcConfig');
  const endpoints = ['Issuer', 'AuthorizationEndpoint', 'TokenEndpoint', 'UserInfoEndpoint'];
  for (const key of endpoints) {
    if (!/^https:\/\/[^\s/]+/.test(required(config, key))) {
      throw validationError(`${key} must be a full HTTPS URL`);
    }
  }
  const reuse = text(config, 'UseExistingClientSecret') === 'true';
  const secret = reuse ? existingSecret : text(config, 'ClientSecret');
  if (!secret) {
    throw validationError(
      reuse
        ? 'There is no existing client secret to use'
        : 'ClientSecret is required when creating an authenticate-oidc action',
    );
  }
  const onUnauthenticated = text(config, 'OnUnauthenticatedRequest') ?? 'authenticate';
  if (!['deny', 'allow', 'authenticate'].includes(onUnauthenticated)) {
    throw validationError(`OnUnauthenticatedRequest '${onUnauthenticated}' is not valid`);
  }
  return {
    Issuer: config.Issuer,
    AuthorizationEndpoint: config.AuthorizationEndpoint,
    TokenEndpoint: config.TokenEndpoint,
    UserInfoEndpoint: config.UserInfoEndpoint,
    ClientId: required(config, 'ClientId'),
    ClientSecret: secret,
    SessionCookieName: text(config, 'SessionCookieName') ?? 'AWSELBAuthSessionCookie',
    Scope: text(config, 'Scope') ?? 'openid',
    SessionTimeout: integer(config, 'SessionTimeout') ?? 604_800,
    OnUnauthenticatedRequest: onUnauthenticated,
  };
}

/** What Describe* show of an action: never the OIDC client secret. */
export function renderAction(action: Action): JsonObject {
  const config = action.AuthenticateOidcConfig as JsonObject | undefined;
  if (!config) return action;
  const { ClientSecret: _secret, ...shown } = config;
  return { ...action, AuthenticateOidcConfig: shown };
}
