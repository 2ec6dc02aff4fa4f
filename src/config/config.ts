import { z } from 'zod';
import type { EcsSettings, LoadBalancerSettings } from '../aws/settings.js';
import { parseDuration } from '../core/duration.js';
import {
  DEFAULT_TAG_TEMPLATE,
  TEMPLATE_PLACEHOLDERS,
  unknownPlaceholders,
} from '../core/image-template.js';
import { LOG_FORMATS, type LogFormat } from '../core/logger.js';
import type { EngineSettings } from '../core/settings.js';
import type { GitLabSettings } from '../gitlab/settings.js';
import type { CliNoticeSettings, SlackSettings } from '../slack/settings.js';
import type { FollowSettings } from '../watcher/follow.js';
import { parseLoadBalancerSettings } from './load-balancer.js';

/**
 * Configuration is a pure function of an env object: only the entry points
 * read process.env. Every problem is reported at once, by variable name, with
 * what is expected; values are never echoed (some are secrets).
 */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(
      `The configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems
        .map((p) => `  - ${p}`)
        .join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const empty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = z.preprocess(empty, z.string().trim().optional());
const required = (what: string) =>
  z.preprocess(empty, z.string({ error: `is required: ${what}` }).trim());
const list = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
  z.array(z.string()),
);
const duration = (fallback: string) =>
  z.preprocess(
    (v) => (empty(v) === undefined ? fallback : v),
    z.string().transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration such as 90s, 30m or 2h' });
        return z.NEVER;
      }
      return ms;
    }),
  );
const count = (fallback: number, what = 'a whole number of 1 or more', min = 1, max?: number) =>
  z.preprocess(
    (v) => (empty(v) === undefined ? String(fallback) : v),
    z
      .string()
      .regex(/^[0-9]+$/, `must be ${what}`)
      .transform(Number)
      .refine((n) => n >= min && (max === undefined || n <= max), `must be ${what}`),
  );
const price = (fallback: number) =>
  z.preprocess(
    (v) => (empty(v) === undefined ? String(fallback) : v),
    z
      .string()
      .regex(/^[0-9]+(\.[0-9]+)?$/, 'must be a price in dollars such as 0.04048')
      .transform(Number),
  );
const fraction = (fallback: number) =>
  z.preprocess(
    (v) => (empty(v) === undefined ? String(fallback) : v),
    z
      .string()
      .regex(/^[0-9]+(\.[0-9]+)?$/, 'must be a fraction from 0 to 1, such as 0.7 for 70% off')
      .transform(Number)
      .refine((n) => n <= 1, 'must be a fraction from 0 to 1, such as 0.7 for 70% off'),
  );
/** AWS resource ids are a prefix and 8 (older resources) or 17 hexadecimal digits. */
const awsIds = (prefix: string, what: string) =>
  list.superRefine((ids, ctx) => {
    const wrong = ids.filter(
      (id) => !new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`).test(id),
    );
    if (wrong.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `has ${wrong.length === 1 ? `an id that is not a ${what} id` : `ids that are not ${what} ids`} (${prefix}- and 8 or 17 hexadecimal digits, such as ${prefix}-0123456789abcdef0): ${wrong.slice(0, 3).join(', ')}`,
      });
    }
  });
/**
 * Region names as AWS spells them: us-east-1, eu-west-3, us-gov-west-1,
 * cn-north-1, us-isob-east-1. An availability zone (eu-west-1a) or a display
 * name (Europe (Ireland)) is not one.
 */
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$/;
const flag = (fallback: boolean) =>
  z.preprocess(
    (v) => (empty(v) === undefined ? String(fallback) : String(v).toLowerCase()),
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no', 'enabled', 'disabled'], {
        error: 'must be true or false',
      })
      .transform((v) => ['true', '1', 'yes', 'enabled'].includes(v)),
  );
const url = (fallback?: string) =>
  z.preprocess(
    (v) => empty(v) ?? fallback,
    z
      .string({ error: 'is required: a URL such as https://gitlab.example.com' })
      .url('must be a URL such as https://gitlab.example.com')
      .transform((u) => u.replace(/\/+$/, '')),
  );

const URL_PLACEHOLDERS = ['ip', 'public_ip', 'private_ip', 'port', ...TEMPLATE_PLACEHOLDERS];

const placeholders = (known: string[]) =>
  z.string().superRefine((text, ctx) => {
    const unknown = unknownPlaceholders(text, known);
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `has unknown placeholder {${unknown[0]}}; use ${known.map((p) => `{${p}}`).join(', ')}`,
      });
    }
  });
const template = (known: string[], fallback: string) =>
  z.preprocess((v) => empty(v) ?? fallback, placeholders(known));
const optionalTemplate = (known: string[]) => z.preprocess(empty, placeholders(known).optional());

const engineSchema = z.object({
  GITLAB_URL: url('https://gitlab.com'),
  GITLAB_TOKEN: required('a GitLab token with the read_api and read_registry scopes'),
  GITLAB_PROJECT: required('the project id or path, e.g. 1234 or acme/shop'),
  GITLAB_TIMEOUT: duration('10s'),
  GITLAB_ENVIRONMENTS: flag(false),
  GITLAB_MR_NOTES: flag(false),
  IMAGE_TAG_TEMPLATE: template(TEMPLATE_PLACEHOLDERS, DEFAULT_TAG_TEMPLATE),
  REGISTRY_REPOSITORY: optionalText,
  IMAGE_TEMPLATE: optionalTemplate(TEMPLATE_PLACEHOLDERS),
  AWS_REGION: required(
    'the AWS region of the cluster, e.g. eu-west-1 (or AWS_DEFAULT_REGION)',
  ).refine(
    (region) => REGION.test(region),
    'must be a region name such as eu-west-1 (not an availability zone such as eu-west-1a)',
  ),
  ECS_CLUSTER: required('the ECS cluster name or ARN'),
  ECS_TASK_DEFINITION: required('the base task definition (family, family:revision or ARN)'),
  ECS_CONTAINER: optionalText,
  ECS_TASK_FAMILY: optionalText,
  ECS_SUBNETS: awsIds('subnet', 'subnet').refine((v) => v.length >= 1 && v.length <= 16, {
    message: 'is required: 1 to 16 comma-separated subnet ids (subnet-...)',
  }),
  ECS_SECURITY_GROUPS: awsIds('sg', 'security group').refine((v) => v.length <= 5, {
    message: 'takes at most 5 comma-separated security group ids',
  }),
  ECS_ASSIGN_PUBLIC_IP: flag(false),
  ECS_CAPACITY_PROVIDER: z.preprocess(
    (v) => empty(v) ?? 'FARGATE',
    z.enum(['FARGATE', 'FARGATE_SPOT'], { error: 'must be FARGATE or FARGATE_SPOT' }),
  ),
  REVIEW_APP_TTL: duration('30m'),
  REVIEW_APP_MAX_LIFETIME: duration('2h'),
  REVIEW_APP_LAUNCH_TIMEOUT: duration('10m'),
  REVIEW_APP_TTL_MODE: z.preprocess(
    (v) => empty(v) ?? 'container',
    z.enum(['container', 'command'], { error: 'must be container or command' }),
  ),
  REVIEW_APP_REAPER_IMAGE: z.preprocess(
    (v) => empty(v) ?? 'public.ecr.aws/docker/library/busybox:stable',
    z.string(),
  ),
  REVIEW_APP_URL_TEMPLATE: template(URL_PLACEHOLDERS, 'http://{ip}:{port}'),
  REVIEW_APP_PORT: z.preprocess(
    empty,
    z
      .string()
      .regex(/^[0-9]{1,5}$/, 'must be a port number from 1 to 65535')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 65535, 'must be a port number from 1 to 65535')
      .optional(),
  ),
  REVIEW_APP_MR_CHECK_INTERVAL: duration('60s'),
  REVIEW_APP_STOP_ON_MERGE: flag(true),
  REVIEW_APP_FOLLOW: z.preprocess(
    (v) => String(empty(v) ?? 'offer').toLowerCase(),
    z.enum(['off', 'offer', 'auto'], { error: 'must be off, offer or auto' }),
  ),
  SLACK_CLI_CHANNEL: z.preprocess(
    empty,
    z
      .string()
      .trim()
      .regex(/^[CG][A-Z0-9_]+$/, 'must be a channel id such as C0123456789')
      .optional(),
  ),
  MAX_RUNNING_APPS: count(10),
  MAX_APPS_PER_USER: count(3),
  FARGATE_VCPU_HOUR_PRICE: price(0.04048),
  FARGATE_GB_HOUR_PRICE: price(0.004445),
  FARGATE_SPOT_DISCOUNT: fraction(0.7),
});

/** One variable read on its own, as the schema reads it; undefined when it does not parse. */
function readField<S extends z.ZodObject, K extends keyof S['shape'] & string>(
  schema: S,
  env: Env,
  name: K,
): z.output<S['shape'][K]> | undefined {
  const read = (schema.shape[name] as z.ZodType).safeParse(env[name]);
  return read.success ? (read.data as z.output<S['shape'][K]>) : undefined;
}

/**
 * Rules between variables. Each is checked on the variables' own readings, not
 * as a refinement of the whole object: zod skips those while any variable is
 * missing, and a TTL longer than the cap would only show up after the missing
 * ones were set, in a second run.
 */
function engineCrossProblems(env: Env): string[] {
  const problems: string[] = [];
  const ttl = readField(engineSchema, env, 'REVIEW_APP_TTL');
  const cap = readField(engineSchema, env, 'REVIEW_APP_MAX_LIFETIME');
  if (ttl !== undefined && cap !== undefined && ttl > cap) {
    problems.push('REVIEW_APP_TTL must not be longer than REVIEW_APP_MAX_LIFETIME');
  }
  const base = familyOf(readField(engineSchema, env, 'ECS_TASK_DEFINITION'));
  if (base !== undefined && readField(engineSchema, env, 'ECS_TASK_FAMILY') === base) {
    problems.push(
      `ECS_TASK_FAMILY must differ from the base family ${base} of ECS_TASK_DEFINITION: whatever follows the base family's latest revision would pick up review images (leave it unset for ${base}-review-app)`,
    );
  }
  return problems;
}

/** The family of `family`, `family:revision` or a task definition ARN. */
function familyOf(taskDefinition: string | undefined): string | undefined {
  if (!taskDefinition) return undefined;
  const name = taskDefinition.startsWith('arn:')
    ? taskDefinition.slice(taskDefinition.indexOf('task-definition/') + 'task-definition/'.length)
    : taskDefinition;
  return name.split(':')[0] || undefined;
}

/** Which token was given in place of the bot token, by its documented prefix. */
function wrongBotToken(token: string): string {
  if (token.startsWith('xapp-'))
    return 'is an app-level token (xapp-...), which belongs in SLACK_APP_TOKEN; SLACK_BOT_TOKEN takes the Bot User OAuth Token (xoxb-...) from OAuth & Permissions';
  if (token.startsWith('xoxp-'))
    return 'is a user token (xoxp-...), which acts as a person; use the Bot User OAuth Token (xoxb-...) from OAuth & Permissions';
  return 'must be the Bot User OAuth Token, starting with xoxb-, from OAuth & Permissions';
}

const BOT_TOKEN = 'the Bot User OAuth Token (xoxb-...) from OAuth & Permissions';

/**
 * Slack's Web API: the bot's token and the API's address, declared once. The bot cannot
 * go without the token; the CLI needs it only to post its notices (SLACK_CLI_CHANNEL) and
 * reads neither otherwise, since a CI job may carry another tool's SLACK_BOT_TOKEN.
 */
const slackWebApi = (required: string) => ({
  SLACK_BOT_TOKEN: z.preprocess(
    empty,
    z.string({ error: `is required${required}: ${BOT_TOKEN}` }).superRefine((token, ctx) => {
      if (token.startsWith('xoxb-')) return;
      ctx.addIssue({ code: 'custom', message: wrongBotToken(token) });
    }),
  ),
  SLACK_API_URL: z.preprocess(empty, z.string().url('must be a URL').optional()),
});

const cliNoticeSchema = z.object(slackWebApi(' when SLACK_CLI_CHANNEL is set'));

const slackSchema = z.object({
  ...slackWebApi(''),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: z.preprocess(
    empty,
    z
      .string()
      .superRefine((token, ctx) => {
        if (token.startsWith('xapp-')) return;
        ctx.addIssue({
          code: 'custom',
          message: token.startsWith('xoxb-')
            ? 'is a bot token (xoxb-...); Socket Mode needs an app-level token (xapp-...) from Basic Information, App-Level Tokens'
            : 'must be an app-level token (xapp-...) from Basic Information, App-Level Tokens',
        });
      })
      .optional(),
  ),
  // 0 lets the system choose a free port (tests, the sandbox).
  PORT: count(3000, 'a port number from 0 to 65535', 0, 65535),
  SLACK_UPDATES_PER_MINUTE: count(30),
  ALLOWED_CHANNEL_IDS: list,
  ALLOWED_USER_IDS: list,
  LOG_FORMAT: z.preprocess(
    (v) => (typeof v === 'string' ? empty(v.trim().toLowerCase()) : v),
    z.enum(LOG_FORMATS, { error: 'must be json or text' }).optional(),
  ),
});

/** HTTP mode needs the signing secret; Socket Mode the app token (its own rule checks its kind). */
function slackCrossProblems(env: Env): string[] {
  if (empty(env.SLACK_APP_TOKEN ?? '') !== undefined) return [];
  if (readField(slackSchema, env, 'SLACK_SIGNING_SECRET') !== undefined) return [];
  return [
    'SLACK_SIGNING_SECRET is required in HTTP mode (from Basic Information); or set SLACK_APP_TOKEN (xapp-...) for Socket Mode',
  ];
}

/** The product's settings: each layer's own type, filled from the environment. */
export interface Config {
  engine: EngineSettings;
  gitlab: GitLabSettings;
  ecs: EcsSettings;
  /** How running apps follow their merge request (the bot's watcher). */
  follow: FollowSettings;
  /** Where CLI launches are told in Slack, when configured. */
  cliNotice?: CliNoticeSettings | undefined;
  /** The shared load balancer that names running apps; without it apps keep their IP address. */
  router?: LoadBalancerSettings | undefined;
}

/** An ALB holds at most 100 target groups, one per running app, and that limit is not adjustable. */
const LOAD_BALANCER_TARGET_GROUPS = 100;

/** The load balancer's settings and what is wrong with them, MAX_RUNNING_APPS against its room included. */
function routerOf(env: Env): { settings?: LoadBalancerSettings; problems: string[] } {
  const { settings, problems } = parseLoadBalancerSettings(env);
  const maxRunning = readField(engineSchema, env, 'MAX_RUNNING_APPS');
  if (env.LOAD_BALANCER_LISTENER_ARN?.trim() && (maxRunning ?? 0) > LOAD_BALANCER_TARGET_GROUPS) {
    problems.push(
      `MAX_RUNNING_APPS must be at most ${LOAD_BALANCER_TARGET_GROUPS} with LOAD_BALANCER_LISTENER_ARN: the load balancer holds ${LOAD_BALANCER_TARGET_GROUPS} target groups, one per running app`,
    );
  }
  return { ...(settings ? { settings } : {}), problems };
}

function toConfig(
  e: z.output<typeof engineSchema>,
  slack: z.output<typeof cliNoticeSchema> | undefined,
  router: LoadBalancerSettings | undefined,
): Config {
  const registryRepository = e.REGISTRY_REPOSITORY;
  return {
    engine: {
      gitlab: { url: e.GITLAB_URL, project: e.GITLAB_PROJECT },
      image: {
        tagTemplate: e.IMAGE_TAG_TEMPLATE,
        registryRepository,
        imageTemplate: e.IMAGE_TEMPLATE,
      },
      lifetime: {
        ttlMs: e.REVIEW_APP_TTL,
        maxLifetimeMs: e.REVIEW_APP_MAX_LIFETIME,
        launchTimeoutMs: e.REVIEW_APP_LAUNCH_TIMEOUT,
      },
      urlTemplate: e.REVIEW_APP_URL_TEMPLATE,
      port: e.REVIEW_APP_PORT,
      limits: { maxRunning: e.MAX_RUNNING_APPS, maxPerUser: e.MAX_APPS_PER_USER },
    },
    gitlab: {
      url: e.GITLAB_URL,
      token: e.GITLAB_TOKEN,
      project: e.GITLAB_PROJECT,
      timeoutMs: e.GITLAB_TIMEOUT,
      registryRepository,
      environments: e.GITLAB_ENVIRONMENTS,
      mrNotes: e.GITLAB_MR_NOTES,
    },
    ecs: {
      cluster: e.ECS_CLUSTER,
      taskDefinition: e.ECS_TASK_DEFINITION,
      container: e.ECS_CONTAINER,
      family: e.ECS_TASK_FAMILY,
      subnets: e.ECS_SUBNETS,
      securityGroups: e.ECS_SECURITY_GROUPS,
      assignPublicIp: e.ECS_ASSIGN_PUBLIC_IP,
      capacityProvider: e.ECS_CAPACITY_PROVIDER,
      guard: {
        mode: e.REVIEW_APP_TTL_MODE,
        maxLifetimeMs: e.REVIEW_APP_MAX_LIFETIME,
        reaperImage: e.REVIEW_APP_REAPER_IMAGE,
      },
      prices: {
        vcpuHour: e.FARGATE_VCPU_HOUR_PRICE,
        gbHour: e.FARGATE_GB_HOUR_PRICE,
        spotDiscount: e.FARGATE_SPOT_DISCOUNT,
      },
    },
    follow: {
      checkEveryMs: e.REVIEW_APP_MR_CHECK_INTERVAL,
      stopOnMerge: e.REVIEW_APP_STOP_ON_MERGE,
      commits: e.REVIEW_APP_FOLLOW,
    },
    cliNotice:
      e.SLACK_CLI_CHANNEL && slack
        ? {
            channel: e.SLACK_CLI_CHANNEL,
            botToken: slack.SLACK_BOT_TOKEN,
            apiUrl: slack.SLACK_API_URL,
          }
        : undefined,
    ...(router ? { router } : {}),
  };
}

function toSlackSettings(e: z.output<typeof slackSchema>): SlackSettings {
  return {
    botToken: e.SLACK_BOT_TOKEN,
    signingSecret: e.SLACK_SIGNING_SECRET,
    appToken: e.SLACK_APP_TOKEN,
    apiUrl: e.SLACK_API_URL,
    port: e.PORT,
    updatesPerMinute: e.SLACK_UPDATES_PER_MINUTE,
    access: { allowedChannels: e.ALLOWED_CHANNEL_IDS, allowedUsers: e.ALLOWED_USER_IDS },
  };
}

/** The SDK reads AWS_REGION, then AWS_DEFAULT_REGION; so does the check. */
function withRegion(env: Env): Env {
  return { ...env, AWS_REGION: env.AWS_REGION || env.AWS_DEFAULT_REGION };
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map(
    (issue) => `${String(issue.path[0] ?? 'configuration')} ${issue.message}`,
  );
}

/** The engine's and its adapters' settings (what the CLI needs). Throws ConfigError listing every problem. */
export function loadConfig(env: Env): Config {
  const engine = engineSchema.safeParse(withRegion(env));
  const slack =
    empty(env.SLACK_CLI_CHANNEL) === undefined ? undefined : cliNoticeSchema.safeParse(env);
  const router = routerOf(env);
  const problems = [
    ...(engine.success ? [] : problemsOf(engine.error)),
    ...engineCrossProblems(env),
    ...router.problems,
    ...(slack?.error ? problemsOf(slack.error) : []),
  ];
  if (!engine.success || slack?.success === false || problems.length > 0) {
    throw new ConfigError(problems);
  }
  return toConfig(engine.data, slack?.data, router.settings);
}

/** Engine and Slack configuration together (what the bot needs), every problem at once. */
export function loadBotConfig(
  env: Env,
): Config & { slack: SlackSettings; logFormat: LogFormat | undefined } {
  const engine = engineSchema.safeParse(withRegion(env));
  const slack = slackSchema.safeParse(env);
  const router = routerOf(env);
  const problems = [
    ...(slack.success ? [] : problemsOf(slack.error)),
    ...slackCrossProblems(env),
    ...(engine.success ? [] : problemsOf(engine.error)),
    ...engineCrossProblems(env),
    ...router.problems,
  ];
  if (!engine.success || !slack.success || problems.length > 0) throw new ConfigError(problems);
  return {
    ...toConfig(engine.data, slack.data, router.settings),
    slack: toSlackSettings(slack.data),
    logFormat: slack.data.LOG_FORMAT,
  };
}

/** The Slack app's settings alone (a bot whose projects come from REVIEW_APP_CONFIG). */
export function loadSlackConfig(env: Env): {
  slack: SlackSettings;
  logFormat: LogFormat | undefined;
} {
  const slack = slackSchema.safeParse(env);
  const problems = [...(slack.success ? [] : problemsOf(slack.error)), ...slackCrossProblems(env)];
  if (!slack.success || problems.length > 0) throw new ConfigError(problems);
  return { slack: toSlackSettings(slack.data), logFormat: slack.data.LOG_FORMAT };
}

/** Every secret value in an env, so that output can be scrubbed of them. */
export function secretsOf(env: Env): string[] {
  return [
    'GITLAB_TOKEN',
    'SLACK_BOT_TOKEN',
    'SLACK_SIGNING_SECRET',
    'SLACK_APP_TOKEN',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'OIDC_CLIENT_SECRET',
  ]
    .map((name) => env[name])
    .filter((v): v is string => typeof v === 'string' && v.length >= 4);
}
