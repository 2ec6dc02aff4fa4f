import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * What an operator decides before `cdk deploy`: where the bot runs, which GitLab it
 * reads, what a review app is, and whether apps get HTTPS names. Read from a JSON file
 * (`-c config=review-app-bot.json`) with any top-level key overridable by `-c key=value`.
 * Tokens never appear here: they live in a Secrets Manager secret the operator creates.
 */
const subnetId = z
  .string()
  .regex(/^subnet-[0-9a-f]{8,17}$/, 'a subnet id, like subnet-0123456789abcdef0');

const secretArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/,
    'the full ARN of a Secrets Manager secret, with its six-character suffix (as `aws secretsmanager create-secret` prints it): ECS accepts nothing shorter',
  );

const existingVpc = z.strictObject({
  id: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'a VPC id, like vpc-0123456789abcdef0'),
  /** Where the review apps and the bot run: they need a way out to pull images. */
  subnetIds: z.array(subnetId).min(1).max(16),
  /** Public subnets (two zones at least) for the load balancer, when there is one. */
  publicSubnetIds: z.array(subnetId).min(2).max(16).optional(),
  /** Subnets without a NAT gateway reach registries only through a public IP. */
  assignPublicIp: z.boolean().default(false),
});

const hostName = z
  .string()
  .regex(
    /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'a DNS name in lower case, like review.example.com',
  );

/** The periods CloudWatch Logs accepts (PutRetentionPolicy), up to a year: review apps' logs are short-lived. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365];

export const deployConfigSchema = z.strictObject({
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'letters, digits and hyphens, starting with a letter')
    .default('ReviewAppBot'),
  gitlab: z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    /** The project (`acme/shop`) whose merge requests become review apps. */
    project: z.string().min(1),
  }),
  /**
   * A secret whose JSON holds the tokens by their variable names: GITLAB_TOKEN,
   * SLACK_BOT_TOKEN, and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP).
   */
  tokensSecretArn: secretArn,
  /** Socket Mode needs no public endpoint; HTTP mode is served through the load balancer. */
  slackMode: z.enum(['socket', 'http']).default('socket'),
  /** An existing VPC (the common case); without it a new one with two public subnets is made. */
  vpc: existingVpc.optional(),
  app: z.strictObject({
    /** The base task definition's image; each review app runs its MR's image instead. */
    image: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    cpu: z
      .union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)])
      .default(256),
    memory: z.number().int().min(512).max(30720).default(512),
    /** Pull credentials (a secret with `username` and `password`) for a private registry such as GitLab's. */
    registryCredentialsSecretArn: secretArn.optional(),
  }),
  /** Review apps on Fargate Spot: up to 70% cheaper, and an app may be interrupted. */
  spot: z.boolean().default(false),
  /** HTTPS names (`mr-42.<domain>`) through one load balancer, with a wildcard certificate. */
  loadBalancer: z
    .strictObject({
      domain: hostName,
      hostedZoneId: z
        .string()
        .regex(/^Z[A-Z0-9]{1,31}$/, 'a Route 53 hosted zone id, like Z0123456789ABCDEFGHIJ'),
      /** The zone's own name (example.com): the domain must be inside it. */
      hostedZoneName: hostName,
    })
    .optional(),
  /** The bot's image; without it the image is built from this repository's Dockerfile. */
  botImage: z.string().min(1).optional(),
  /** More of the bot's settings, by their variable names (README, Configuration). */
  settings: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.string()).default({}),
  logRetentionDays: z
    .number()
    .refine(
      (days) => RETENTION_DAYS.includes(days),
      `one of CloudWatch's retention periods: ${RETENTION_DAYS.join(', ')}`,
    )
    .default(14),
});

export type DeployConfig = z.output<typeof deployConfigSchema>;

/** Settings the stack itself decides or that hold secrets: refused in `settings`. */
const RESERVED_SETTINGS = new Set([
  'GITLAB_URL',
  'GITLAB_PROJECT',
  'ECS_CLUSTER',
  'ECS_TASK_DEFINITION',
  'ECS_CONTAINER',
  'ECS_SUBNETS',
  'ECS_SECURITY_GROUPS',
  'ECS_ASSIGN_PUBLIC_IP',
  'ECS_CAPACITY_PROVIDER',
  'AWS_REGION',
  'PORT',
  'LOAD_BALANCER_LISTENER_ARN',
  'REVIEW_APP_DOMAIN',
]);
const SECRET_SETTING = /TOKEN|SECRET|PASSWORD|KEY/;

export class DeployConfigError extends Error {
  readonly code = 'DEPLOY_CONFIG_INVALID';
}

/** Every problem at once, each naming the key and what is expected. */
export function parseDeployConfig(input: unknown): DeployConfig {
  const parsed = deployConfigSchema.safeParse(input);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`,
      );
  if (parsed.success) {
    const config = parsed.data;
    for (const name of Object.keys(config.settings)) {
      if (SECRET_SETTING.test(name)) {
        problems.push(
          `settings.${name}: a secret belongs in the tokens secret, never in the stack's configuration`,
        );
      } else if (RESERVED_SETTINGS.has(name)) {
        problems.push(`settings.${name}: the stack sets this itself; remove it`);
      }
    }
    if (config.slackMode === 'http' && !config.loadBalancer) {
      problems.push(
        'slackMode: "http" needs loadBalancer, which gives Slack an HTTPS address for the bot; or use "socket"',
      );
    }
    if (config.loadBalancer && config.vpc && !config.vpc.publicSubnetIds) {
      problems.push(
        'vpc.publicSubnetIds: the load balancer needs public subnets in two zones of the VPC',
      );
    }
    const lb = config.loadBalancer;
    if (lb && lb.domain !== lb.hostedZoneName && !lb.domain.endsWith(`.${lb.hostedZoneName}`)) {
      problems.push(
        `loadBalancer.domain: ${lb.domain} is not inside the hosted zone ${lb.hostedZoneName}`,
      );
    }
    if (problems.length === 0) return config;
  }
  throw new DeployConfigError(
    `The deployment configuration has problems:\n- ${problems.join('\n- ')}`,
  );
}

/**
 * The file named by the `config` context value (default `review-app-bot.json`), with any
 * other context value given on the command line laid over its top-level keys.
 */
export function readDeployConfig(context: Record<string, unknown>, baseDir: string): DeployConfig {
  const file = typeof context.config === 'string' ? context.config : 'review-app-bot.json';
  const path = file.startsWith('/') ? file : `${baseDir}/${file}`;
  let fromFile: Record<string, unknown> = {};
  try {
    fromFile = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (error as Error).message;
    throw new DeployConfigError(
      `Cannot read the deployment configuration ${path}: ${reason}. Copy review-app-bot.example.json to review-app-bot.json and fill it in, or name another file with -c config=<file>.`,
    );
  }
  // `-c spot=true` arrives as a string.
  const overrides = Object.fromEntries(
    Object.entries(context)
      .filter(([key]) => key !== 'config' && key in deployConfigSchema.shape)
      .map(([key, value]) => [key, value === 'true' ? true : value === 'false' ? false : value]),
  );
  return parseDeployConfig({ ...fromFile, ...overrides });
}
