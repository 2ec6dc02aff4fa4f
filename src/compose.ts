import { type AwsClientOptions, createAwsClients } from './aws/clients.js';
import { EcsPlatform } from './aws/ecs-platform.js';
import { AlbRouter } from './aws/load-balancer.js';
import { CloudWatchTaskLogs } from './aws/task-logs.js';
import type { Config, Env } from './config/config.js';
import type { ProjectConfig } from './config/projects.js';
import type { CheckResult } from './core/check.js';
import { type Clock, systemClock } from './core/clock.js';
import { type EngineDeps, ReviewAppEngine } from './core/engine.js';
import { ReviewAppFleet, type ServedProject } from './core/fleet.js';
import type { Logger } from './core/logger.js';
import type { RoutedAppKey, ThreadLinks } from './core/ports.js';
import type { ReviewApp } from './core/types.js';
import { GitLabEnvironments } from './gitlab/environments.js';
import { GitLabMergeRequestNotes } from './gitlab/notes.js';
import { GitLabSource } from './gitlab/source.js';

/** AWS client options from an env object, read the way the SDK reads its own variables. */
export function awsOptionsFromEnv(env: Env): AwsClientOptions {
  const ecs = env.AWS_ENDPOINT_URL_ECS ?? env.AWS_ENDPOINT_URL;
  const ec2 = env.AWS_ENDPOINT_URL_EC2 ?? env.AWS_ENDPOINT_URL;
  const logs = env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS ?? env.AWS_ENDPOINT_URL;
  const elbv2 = env.AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 ?? env.AWS_ENDPOINT_URL;
  const acm = env.AWS_ENDPOINT_URL_ACM ?? env.AWS_ENDPOINT_URL;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = env;
  return {
    endpoints: {
      ...(ecs ? { ecs } : {}),
      ...(ec2 ? { ec2 } : {}),
      ...(logs ? { logs } : {}),
      ...(elbv2 ? { elbv2 } : {}),
      ...(acm ? { acm } : {}),
    },
    ...(region ? { region } : {}),
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
  };
}

interface EngineOptions {
  config: Config;
  peers?: EngineDeps['peers'];
  env: Env;
  logger: Logger;
  clock?: Clock;
  /** Where the MR's note links to the app's Slack thread (the bot gives Slack's permalinks). */
  threadLinks?: ThreadLinks;
}

/** The composition root of the engine: real clients, wired once. */
export function createEngine(options: EngineOptions): ReviewAppEngine {
  return engineWith(options, createAwsClients(awsOptionsFromEnv(options.env)));
}

/** A project the bot serves, with the settings it was made from. */
export interface BotProject extends ServedProject {
  config: ProjectConfig;
  access: ProjectConfig['access'];
}

/**
 * Every project's engine over one set of AWS clients: one cluster, one load balancer,
 * read once per watch round for all of them (see ReviewAppFleet).
 */
export function createFleet(
  options: Omit<EngineOptions, 'config'> & {
    projects: ProjectConfig[];
    /** AWS clients already made (doctor's); made from `env` otherwise. */
    clients?: ReturnType<typeof createAwsClients>;
  },
): ReviewAppFleet<BotProject> {
  const clients = options.clients ?? createAwsClients(awsOptionsFromEnv(options.env));
  let fleet: ReviewAppFleet<BotProject> | undefined;
  // One per-user limit across the projects: a launch counts the requester's apps of the
  // others, which its own reading of the cluster sees anyway.
  const peers = (config: ProjectConfig) => (path: string) => {
    const project = fleet?.projectOf({ meta: { project: path } });
    return project !== undefined && project.config !== config;
  };
  const several = options.projects.length > 1;
  const built = options.projects.map((config) => ({
    config,
    engine: engineWith(
      { ...options, config, ...(several ? { peers: peers(config) } : {}) },
      clients,
    ),
  }));
  const [first, ...others] = built;
  if (!first) throw new Error('a fleet needs at least one project');
  fleet = new ReviewAppFleet(
    built.map(({ config, engine }) => ({
      path: config.path,
      channels: config.channels,
      access: config.access,
      config,
      engine,
    })),
    {
      // Running tasks are listed once for the cluster; stopped ones by each project's family.
      list: async (listing) => {
        const tasks = await first.engine.listTasks(listing);
        if (!listing.includeStopped && !listing.onlyStopped) return tasks;
        const seen = new Set(tasks.map((task) => task.arn));
        for (const other of others) {
          for (const task of await other.engine.listTasks({ known: [], onlyStopped: true })) {
            if (!seen.has(task.arn)) tasks.push(task);
            seen.add(task.arn);
          }
        }
        return tasks;
      },
    },
  );
  return fleet;
}

function engineWith(
  options: EngineOptions,
  clients: ReturnType<typeof createAwsClients>,
): ReviewAppEngine {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const gitlab = new GitLabSource(config.gitlab, logger, clock);
  return new ReviewAppEngine({
    settings: config.engine,
    gitlab,
    platform: new EcsPlatform(clients, config.ecs),
    logs: new CloudWatchTaskLogs(clients, config.ecs),
    ...(config.gitlab.environments
      ? { environments: new GitLabEnvironments(gitlab.calls, clock) }
      : {}),
    ...(config.gitlab.mrNotes ? { notes: new GitLabMergeRequestNotes(gitlab.calls) } : {}),
    ...(options.threadLinks ? { threadLinks: options.threadLinks } : {}),
    ...(options.peers ? { peers: options.peers } : {}),
    ...(config.router
      ? { router: new AlbRouter(clients, config.router, logger, () => clock.now()) }
      : {}),
    clock,
    logger,
  });
}

/** Every check of `review-app doctor`, with real clients; read-only. */
export async function doctorChecks(options: {
  config: Config;
  env: Env;
  logger: Logger;
  clock?: Clock | undefined;
}): Promise<CheckResult[]> {
  const { config, env, logger } = options;
  const clock = options.clock ?? systemClock;
  // Loaded here, not with the engine: the bot never runs them.
  const [{ awsChecks }, { loadBalancerChecks, exampleHost }, { gitlabChecks }, { slackChecks }] =
    await Promise.all([
      import('./aws/doctor-checks.js'),
      import('./aws/doctor-load-balancer.js'),
      import('./gitlab/doctor-checks.js'),
      import('./slack/doctor-checks.js'),
    ]);
  const aws = awsOptionsFromEnv(env);
  const clients = createAwsClients(aws);
  const source = new GitLabSource(config.gitlab, logger);
  const [gitlab, ecs, loadBalancer, slack] = await Promise.all([
    gitlabChecks(config.gitlab, source, config.engine.image),
    awsChecks(clients, config.ecs, {
      region: aws.region ?? 'the configured region',
      port: config.engine.port,
    }),
    config.router
      ? loadBalancerChecks(clients, config.router, config.ecs, {
          port: config.engine.port,
          maxRunning: config.engine.limits.maxRunning,
          live: async () =>
            keysOf(await engineWith({ config, env, logger, clock }, clients).list()),
          now: clock.now,
          // The path a numeric GITLAB_PROJECT stands for: {project} is its last part.
          hosts: [
            exampleHost(
              config.router,
              await source.projectPath().catch(() => config.gitlab.project),
            ),
          ],
        })
      : [],
    slackChecks(
      { botToken: env.SLACK_BOT_TOKEN, appToken: env.SLACK_APP_TOKEN, apiUrl: env.SLACK_API_URL },
      logger,
    ),
  ]);
  return [...gitlab, ...ecs, ...loadBalancer, ...slack];
}

/** `review-app doctor` over several projects: what they share once, then each project's own. */
export interface ProjectsDoctorReport {
  shared: CheckResult[];
  projects: { path: string; checks: CheckResult[] }[];
}

/**
 * Every check of `review-app doctor` for the projects of review-apps.yml, with real clients;
 * read-only. The token, the cluster, the load balancer and Slack are shared, so checked once;
 * each project's task definition, network, registry and the token's rights in it, per project.
 */
export async function projectsDoctorChecks(options: {
  projects: ProjectConfig[];
  env: Env;
  logger: Logger;
  clock?: Clock | undefined;
}): Promise<ProjectsDoctorReport> {
  const { projects, env, logger } = options;
  const clock = options.clock ?? systemClock;
  const [first] = projects;
  if (!first) throw new Error('doctor needs at least one project');
  const [
    { awsClusterChecks, awsProjectChecks },
    { loadBalancerChecks, exampleHost },
    { gitlabProjectChecks, gitlabTokenCheck },
    { slackChecks },
  ] = await Promise.all([
    import('./aws/doctor-checks.js'),
    import('./aws/doctor-load-balancer.js'),
    import('./gitlab/doctor-checks.js'),
    import('./slack/doctor-checks.js'),
  ]);
  const aws = awsOptionsFromEnv(env);
  const clients = createAwsClients(aws);
  const region = aws.region ?? 'the configured region';
  // The token serves every project: it needs what the most demanding of them writes.
  const tokenSettings = {
    ...first.gitlab,
    environments: projects.some((project) => project.gitlab.environments === true),
    mrNotes: projects.some((project) => project.gitlab.mrNotes === true),
  };
  const spot = projects.find((project) => project.ecs.capacityProvider === 'FARGATE_SPOT');
  // The load balancer must reach every project's subnets.
  const subnets = [...new Set(projects.flatMap((project) => project.ecs.subnets))];
  const ports = new Set(projects.map((project) => project.engine.port));
  const routedApps = {
    port: ports.size === 1 ? first.engine.port : undefined,
    // Each project's MAX_RUNNING_APPS apps, all behind the one listener.
    maxRunning: projects.reduce((sum, project) => sum + project.engine.limits.maxRunning, 0),
    live: async () => keysOf(await createFleet({ projects, env, logger, clock, clients }).list()),
    now: clock.now,
    // Each project's tasks must let the load balancer in, through its own groups.
    tasks: projects.map((project) => ({
      project: project.path,
      securityGroups: project.ecs.securityGroups,
      port: project.engine.port,
    })),
    // Every project's names, behind the one listener and its certificates.
    hosts: [
      ...new Set(
        projects.flatMap((project) => {
          return project.router ? [exampleHost(project.router, project.path)] : [];
        }),
      ),
    ],
  };
  const [token, cluster, loadBalancer, slack] = await Promise.all([
    gitlabTokenCheck(tokenSettings),
    awsClusterChecks(clients, (spot ?? first).ecs, region),
    first.router
      ? loadBalancerChecks(clients, first.router, { ...first.ecs, subnets }, routedApps)
      : [],
    slackChecks(
      { botToken: env.SLACK_BOT_TOKEN, appToken: env.SLACK_APP_TOKEN, apiUrl: env.SLACK_API_URL },
      logger,
    ),
  ]);
  const perProject = await Promise.all(
    projects.map(async (config) => {
      const source = new GitLabSource(config.gitlab, logger);
      const [gitlab, ecs] = await Promise.all([
        gitlabProjectChecks(token, config.gitlab, source, config.engine.image),
        awsProjectChecks(clients, config.ecs, config.engine.port),
      ]);
      return { path: config.path, checks: [...gitlab, ...ecs] };
    }),
  );
  return { shared: [token.result, ...cluster, ...loadBalancer, ...slack], projects: perProject };
}

/** The apps as the load balancer's tags name them. */
function keysOf(apps: ReviewApp[]): RoutedAppKey[] {
  return apps.map((app) => ({ project: app.meta.project, mr: app.meta.mr }));
}
