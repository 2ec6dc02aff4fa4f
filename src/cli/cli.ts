import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type BotProject, createEngine, createFleet } from '../compose.js';
import { ConfigError, type Env, loadConfig, secretsOf } from '../config/config.js';
import { loadProjects } from '../config/projects.js';
import { ProjectCatalogue } from '../core/catalogue.js';
import { type Clock, systemClock } from '../core/clock.js';
import { actorName } from '../core/diagnosis.js';
import { formatDuration } from '../core/duration.js';
import type { LaunchRequest, ReviewAppEngine } from '../core/engine.js';
import { isReviewAppError, operatorText } from '../core/errors.js';
import type { ReviewAppFleet } from '../core/fleet.js';
import {
  createLogger,
  isLogFormat,
  LOG_FORMATS,
  type LogFormat,
  type Logger,
  redact,
} from '../core/logger.js';
import type { ReviewApp } from '../core/types.js';
import type { CliNoticeSettings } from '../slack/settings.js';
import { isNotInChannel, slackErrorCode } from '../slack/web-api-error.js';
import { runDoctor } from './doctor.js';
import { carriesProjectName, chooseProject, ProjectChoiceError } from './project-choice.js';
import { readableTime } from './readable-time.js';

export const USAGE = `Usage:
  review-app launch <mr> [--wait] [--replace] [--json]   launch a review app for a merge request
  review-app stop <mr>                                  stop the merge request's review app
  review-app list [--json]                              list running review apps
  review-app logs <mr>                                  the last lines the review app logged
  review-app doctor [--json]                            check the setup against GitLab, AWS and Slack (changes nothing)
  review-app --help                                     show this help

<mr> is 42, !42 or the merge request's URL. Configuration comes from the
environment (or .env); see the README for every variable.

With several projects (REVIEW_APP_CONFIG names a review-apps.yml), <mr> may name
its project: acme/shop!42, shop!42 (when no other project is called shop) or the
MR's URL; or add --project acme/shop to launch, stop and logs. In a GitLab CI job
the job's own project (CI_PROJECT_PATH) is used when nothing else names one.

Standard output holds only the result (the URL, the list, the checks, JSON with
--json); progress and log lines go to standard error, logs as text, or one JSON
object a line with --log-format json (or LOG_FORMAT=json).

Exit codes: 0 done, 1 failed, 2 bad usage or configuration.`;

export interface CliIo {
  env: Env;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  clock?: Clock;
  /** An engine already wired, instead of one built from `env`. */
  engine?: ReviewAppEngine;
  /** Reads the file REVIEW_APP_CONFIG names (the file system by default). */
  readFile?: (path: string) => string;
}

/** What the CLI acts on: the environment's one project, or every project of review-apps.yml. */
type Served =
  | { kind: 'one'; engine: ReviewAppEngine; notice: NoticeTarget | undefined }
  | { kind: 'fleet'; fleet: ReviewAppFleet<BotProject>; logger: Logger };

/** The project a command acts on, and its engine. */
interface Target {
  engine: ReviewAppEngine;
  mr: number;
  notice: NoticeTarget | undefined;
  ownPipelineId?: number;
}

class UsageError extends Error {}

/** The CLI, callable in-process: returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const secrets = secretsOf(io.env);
  const out = (text: string) => io.stdout(`${redact(text, secrets)}\n`);
  const err = (text: string) => io.stderr(`${redact(text, secrets)}\n`);
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv, io.env);
  } catch (error) {
    err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    out(USAGE);
    return 0;
  }
  // Log lines are for whoever reads the terminal or the CI job's log: text, unless asked for JSON.
  const logger = createLogger({
    secrets,
    format: args.logFormat,
    write: (line) => io.stderr(`${line}\n`),
  });
  const readFile = io.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  if (args.command === 'doctor') {
    return runDoctor({ env: io.env, json: args.json, logger, out, err, readFile, clock: io.clock });
  }

  let served: Served;
  try {
    served = serve(io, logger, readFile);
  } catch (error) {
    if (error instanceof ConfigError) {
      err(error.message);
      return 2;
    }
    throw error;
  }

  // Who is asking, for tags and stop reasons: the CI job's user, else the terminal's.
  const who = io.env.GITLAB_USER_LOGIN ?? io.env.USER ?? 'cli';
  const clock = io.clock ?? systemClock;
  const now = clock.now();
  try {
    switch (args.command) {
      case 'launch': {
        const { engine, mr, notice, ownPipelineId } = await target(served, args, io.env);
        return await launch(
          engine,
          { ...args, mr },
          { requester: who, ...(ownPipelineId ? { ownPipelineId } : {}) },
          { out, err, clock, notice },
        );
      }
      case 'stop': {
        const { engine, mr } = await target(served, args, io.env);
        await engine.stop(mr, actorName(who, 'cli'));
        err(`Stopped the review app of !${mr}.`);
        return 0;
      }
      case 'logs': {
        const { engine, mr } = await target(served, args, io.env);
        const app = await engine.latest(mr);
        if (!app) {
          err(`!${mr} has no review app running or recently stopped.`);
          return 1;
        }
        const lines = await engine.recentLogs(app, 100);
        if (lines === undefined) {
          err(
            'The app container does not log to CloudWatch: give it the awslogs log driver (awslogs-group, awslogs-stream-prefix) in the base task definition.',
          );
          return 1;
        }
        for (const line of lines) out(line);
        return 0;
      }
      case 'list': {
        const apps = served.kind === 'one' ? await served.engine.list() : await served.fleet.list();
        const name = projectNames(served);
        if (args.json)
          out(
            JSON.stringify(
              apps.map((app) => appJson(app)),
              null,
              2,
            ),
          );
        else if (apps.length === 0) out('No review apps are running.');
        else for (const app of apps) out(listLine(app, now, name(app)));
        return 0;
      }
    }
  } catch (error) {
    if (error instanceof ProjectChoiceError) {
      err(`Error: ${error.message}`);
      return 2;
    }
    if (isReviewAppError(error)) {
      // The CLI's reader runs the bot, or reads a CI log for whoever does: the fix is theirs.
      err(`Error: ${operatorText(error)}`);
      return error.code === 'BAD_MR_REFERENCE' || error.code === 'UNKNOWN_PROJECT' ? 2 : 1;
    }
    err(`Error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

/** The CI pipeline this job runs in: its image counts as built (the job runs after the push). */
function ownPipeline(env: Env): { ownPipelineId?: number } {
  const id = Number(env.CI_PIPELINE_ID);
  return Number.isSafeInteger(id) && id > 0 ? { ownPipelineId: id } : {};
}

/** The environment's one project, as always; every project of REVIEW_APP_CONFIG's file. */
function serve(io: CliIo, logger: Logger, readFile: (path: string) => string): Served {
  const clock = io.clock ? { clock: io.clock } : {};
  if (io.engine) return { kind: 'one', engine: io.engine, notice: undefined };
  if (!io.env.REVIEW_APP_CONFIG?.trim()) {
    const config = loadConfig(io.env);
    const engine = createEngine({ config, env: io.env, logger, ...clock });
    const notice = config.cliNotice
      ? { settings: config.cliNotice, gitlabUrl: config.gitlab.url, logger }
      : undefined;
    return { kind: 'one', engine, notice };
  }
  const projects = loadProjects(io.env, readFile);
  return { kind: 'fleet', fleet: createFleet({ projects, env: io.env, logger, ...clock }), logger };
}

/** The engine and MR number a command's reference (and --project, and the CI job) mean. */
async function target(
  served: Served,
  args: { mr: string; project?: string | undefined },
  env: Env,
): Promise<Target> {
  if (served.kind === 'one') {
    const { engine, notice } = served;
    // Only a reference that names its project, or --project, is checked against the one project.
    if (args.project === undefined && !carriesProjectName(args.mr))
      return { engine, mr: await engine.parseReference(args.mr), notice, ...ownPipeline(env) };
    const catalogue = new ProjectCatalogue(
      [{ path: await engine.projectPath(), channels: [] }],
      engine.gitlabUrl,
    );
    const { mr } = chooseProject(catalogue, args.mr, { flag: args.project });
    return { engine, mr, notice, ...ownPipeline(env) };
  }
  const { project, mr } = chooseProject(served.fleet.catalogue, args.mr, {
    flag: args.project,
    ciProjectPath: env.CI_PROJECT_PATH,
  });
  const { config, engine } = project;
  const notice = config.cliNotice
    ? {
        settings: config.cliNotice,
        gitlabUrl: config.gitlab.url,
        logger: served.logger,
        ...(served.fleet.projects.length > 1
          ? { label: served.fleet.catalogue.nameOf(project) }
          : {}),
      }
    : undefined;
  // A CI job's own pipeline counts only for the project it belongs to.
  const ci = env.CI_PROJECT_PATH?.trim().toLowerCase();
  const own = !ci || ci === project.path.toLowerCase() ? ownPipeline(env) : {};
  return { engine, mr, notice, ...own };
}

/** How the list names each app's project: only when there are several to tell apart. */
function projectNames(served: Served): (app: ReviewApp) => string {
  if (served.kind === 'one' || served.fleet.projects.length === 1) return () => '';
  const { fleet } = served;
  return (app) => {
    const project = fleet.projectOf(app);
    return project ? fleet.catalogue.nameOf(project) : app.meta.project;
  };
}

/** Where CLI launches are told in Slack (SLACK_CLI_CHANNEL). */
interface NoticeTarget {
  settings: CliNoticeSettings;
  gitlabUrl: string;
  /** Where Slack's refusals of later updates are logged. */
  logger: Logger;
  /** How the channel names the project (`shop`), where the CLI serves several. */
  label?: string | undefined;
}

interface LaunchOutput {
  out: (text: string) => void;
  err: (text: string) => void;
  clock: Clock;
  notice: NoticeTarget | undefined;
}

async function launch(
  engine: ReviewAppEngine,
  args: { mr: number; wait: boolean; replace: boolean; json: boolean },
  caller: { requester: string; ownPipelineId?: number },
  { out, err, clock, notice }: LaunchOutput,
): Promise<number> {
  const { mr } = args;
  let app: ReviewApp;
  let slack: Awaited<ReturnType<typeof tellSlack>>;
  try {
    app = await startLaunch(engine, { mr, replace: args.replace, ...caller }, err);
    slack = notice ? await tellSlack(engine, app, notice, clock, err) : undefined;
    if (slack) app = slack.app;
  } catch (error) {
    // A CI job run twice reports the app that runs (waiting for it with --wait), instead of failing.
    if (!isReviewAppError(error, 'ALREADY_RUNNING')) throw error;
    app = error.details.app;
    err(
      `!${mr} already has a review app running; use --replace to relaunch it with the newest image.`,
    );
  }
  if (args.wait && !app.meta.url) {
    app = await engine.waitUntilRunning(app, {
      onStatus: (status) => err(`Task status: ${status}`),
    });
    const now = clock.now();
    err(
      `Running until ${readableTime(app.meta.softDeadline, now)} (at most until ${readableTime(app.meta.hardDeadline, now)}).`,
    );
    // The notifier logged why; the bot's countdown may still bring it up to date.
    if (slack && !(await slack.notice.running(app))) err('Slack notice not updated.');
  }
  if (args.json) out(JSON.stringify(appJson(app), null, 2));
  else if (app.meta.url) out(app.meta.url);
  else err('The task is starting; run with --wait to wait for its URL.');
  // Housekeeping: old review revisions that nothing runs any more (best effort, a few at a time).
  await engine
    .cleanUp()
    .catch((error: unknown) => err(`Clean-up skipped: ${(error as Error).message}`));
  return 0;
}

/**
 * Tell the configured Slack channel about a launch, and tag the app with the
 * thread so the bot's watcher reports there. Slack is loaded only now: most
 * CLI runs never need it. A failure costs the notice, never the launch.
 */
async function tellSlack(
  engine: ReviewAppEngine,
  app: ReviewApp,
  target: NoticeTarget,
  clock: Clock,
  err: (text: string) => void,
) {
  try {
    const { CliNotice } = await import('../slack/cli-notice.js');
    const notice = new CliNotice(target.settings, {
      engine,
      clock,
      logger: target.logger,
      label: target.label,
    });
    const webUrl = `${target.gitlabUrl}/${app.meta.project}/-/merge_requests/${app.meta.mr}`;
    const where = await notice.launched(app, webUrl);
    err(`Told Slack channel ${target.settings.channel}.`);
    return { notice, app: await engine.updateMeta(app, where) };
  } catch (error) {
    err(`Slack notice skipped: ${slackError(error)}`);
    return undefined;
  }
}

/** Slack's error code (not_in_channel, invalid_auth...) names what to fix; nothing else is shown. */
function slackError(error: unknown): string {
  const code = slackErrorCode(error);
  if (isNotInChannel(code)) return `${code}: invite the bot to SLACK_CLI_CHANNEL`;
  return code ?? (error instanceof Error ? error.message : String(error));
}

function startLaunch(
  engine: ReviewAppEngine,
  request: Pick<LaunchRequest, 'mr' | 'replace' | 'requester' | 'ownPipelineId'>,
  err: (text: string) => void,
): Promise<ReviewApp> {
  return engine.launch({
    ...request,
    source: 'cli',
    onProgress: (p) => {
      if (p.stage === 'merge-request')
        err(
          `Merge request !${p.mr.iid}: ${p.mr.title} (${p.mr.sourceBranch} @ ${p.mr.sha.slice(0, 8)})`,
        );
      if (p.stage === 'image') err(`Image: ${p.image}`);
      if (p.stage === 'task-definition')
        err(`Task definition: ${p.arn}${p.reused ? ' (reused)' : ''}`);
      if (p.stage === 'started') err(`Task started: ${p.app.task.arn}`);
    },
  });
}

function appJson(app: ReviewApp) {
  const { meta, task } = app;
  return {
    mr: meta.mr,
    title: meta.title,
    branch: meta.branch,
    commit: meta.sha,
    image: meta.image,
    requester: meta.requester,
    url: meta.url ?? null,
    status: task.lastStatus,
    taskArn: task.arn,
    softDeadline: new Date(meta.softDeadline).toISOString(),
    hardDeadline: new Date(meta.hardDeadline).toISOString(),
    project: meta.project,
  };
}

function listLine(app: ReviewApp, now: number, project: string): string {
  const left = formatDuration(app.meta.softDeadline - now);
  return `${project}!${app.meta.mr}\t${app.task.lastStatus}\t${app.meta.url ?? '-'}\t${left} left\t${app.meta.requester}\t${app.meta.title}`;
}

/** --project: the project of launch, stop and logs, when several are served. */
type ProjectFlag = { project?: string | undefined };

type Command =
  | ({
      command: 'launch';
      mr: string;
      wait: boolean;
      replace: boolean;
      json: boolean;
      help: false;
    } & ProjectFlag)
  | ({ command: 'stop' | 'logs'; mr: string; json: boolean; help: false } & ProjectFlag)
  | { command: 'list'; json: boolean; help: false }
  | { command: 'doctor'; json: boolean; help: false }
  | { help: true; command?: undefined };

type Parsed = Command & { logFormat: LogFormat };

/** --log-format, else LOG_FORMAT, else text: the CLI's reader is a person or a CI log. */
function logFormatOf(flag: string | undefined, env: Env): LogFormat {
  const [where, value] =
    flag !== undefined ? ['--log-format', flag] : ['LOG_FORMAT', (env.LOG_FORMAT ?? '').trim()];
  if (value === '') return 'text';
  if (!isLogFormat(value)) {
    throw new UsageError(
      `${where} must be ${LOG_FORMATS.join(' or ')} (got ${JSON.stringify(value)}).`,
    );
  }
  return value;
}

function parse(argv: string[], env: Env): Parsed {
  const [command, flag] = parseCommand(argv);
  return { ...command, logFormat: logFormatOf(flag, env) };
}

/** The command, and the --log-format given with it. */
function parseCommand(argv: string[]): [Command, string | undefined] {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      wait: { type: 'boolean', default: false },
      replace: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      'log-format': { type: 'string' },
      project: { type: 'string' },
    },
  });
  return [commandOf(values, positionals), values['log-format']];
}

function commandOf(
  values: { wait: boolean; replace: boolean; json: boolean; help: boolean; project?: string },
  positionals: string[],
): Command {
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') return { help: true };
  const project = values.project === undefined ? {} : { project: values.project };
  if (values.project !== undefined && values.project.trim() === '')
    throw new UsageError('--project needs a project: acme/shop, or shop when that is unique.');
  if (command === 'launch' || command === 'stop' || command === 'logs') {
    if (rest.length !== 1) throw new UsageError(`${command} takes exactly one merge request.`);
    if (command !== 'launch' && (values.wait || values.replace))
      throw new UsageError(`${command} takes no --wait or --replace.`);
    return command === 'launch'
      ? {
          command,
          mr: rest[0] as string,
          wait: values.wait,
          replace: values.replace,
          json: values.json,
          help: false,
          ...project,
        }
      : { command, mr: rest[0] as string, json: values.json, help: false, ...project };
  }
  if (command === 'list' || command === 'doctor') {
    if (rest.length > 0 || values.wait || values.replace || values.project !== undefined)
      throw new UsageError(`${command} takes only --json.`);
    return { command, json: values.json, help: false };
  }
  throw new UsageError(command ? `Unknown command: ${command}` : 'No command given.');
}
