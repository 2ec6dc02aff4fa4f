import { hostName, projectSlug } from '../aws/load-balancer-rules.js';
import type { LogFormat } from '../core/logger.js';
import type { AccessSettings, SlackSettings } from '../slack/settings.js';
import {
  type Config,
  ConfigError,
  type Env,
  loadBotConfig,
  loadConfig,
  loadSlackConfig,
} from './config.js';
import {
  type ProjectEntry,
  ProjectFileError,
  parseProjectFile,
  SHARED_SETTINGS,
} from './project-file.js';

/** One project's settings, with the channels where it is the default and who may act on it. */
export type ProjectConfig = Config & { path: string; channels: string[]; access: AccessSettings };

/** ALLOWED_USER_IDS and ALLOWED_CHANNEL_IDS, comma-separated, empty meaning everyone, everywhere. */
function accessOf(env: Env): AccessSettings {
  const ids = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
  return { allowedUsers: ids(env.ALLOWED_USER_IDS), allowedChannels: ids(env.ALLOWED_CHANNEL_IDS) };
}

/**
 * The projects the bot serves: those of `REVIEW_APP_CONFIG` (review-apps.yml), each
 * parsed by the same rules as the environment, or the one project the environment
 * describes. Every problem of every project at once, each where the operator fixes it:
 * the file's line for what the file set, the variable for what the environment set.
 */
export function loadProjects(env: Env, readFile: (path: string) => string): ProjectConfig[] {
  const file = env.REVIEW_APP_CONFIG?.trim();
  if (!file)
    return [
      {
        ...loadConfig(env),
        path: env.GITLAB_PROJECT?.trim() ?? '',
        channels: [],
        access: accessOf(env),
      },
    ];

  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'there is no such file'
        : (error as Error).message;
    throw new ConfigError([`REVIEW_APP_CONFIG names ${file}, which cannot be read: ${reason}`]);
  }
  let entries: ReturnType<typeof parseProjectFile>;
  try {
    entries = parseProjectFile(text, file, env);
  } catch (error) {
    if (error instanceof ProjectFileError)
      throw new ConfigError(error.problems.map((problem) => `${file} ${problem}`));
    throw error;
  }
  const problems: string[] = [];
  const projects: ProjectConfig[] = [];
  const where = new Map<ProjectConfig, ProjectEntry>();
  for (const entry of entries) {
    try {
      const project: ProjectConfig = {
        ...loadConfig(entry.env),
        path: entry.path,
        channels: entry.channels,
        access: accessOf(entry.env),
      };
      projects.push(project);
      where.set(project, entry);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const problem of error.problems) {
        // A problem reads "<VARIABLE> <what is wrong>".
        const variable = problem.slice(0, problem.indexOf(' '));
        const rest = problem.slice(variable.length + 1);
        const line = entry.lines[variable];
        if (line !== undefined) {
          problems.push(`${file} line ${line}: projects.${entry.path}.${variable} ${rest}`);
        } else if ((SHARED_SETTINGS as readonly string[]).includes(variable)) {
          // A shared setting cannot be set under a project: said once, not once per project.
          const problem = `${file}: ${variable} ${rest} (set it under defaults or in the environment)`;
          if (!problems.includes(problem)) problems.push(problem);
        } else {
          problems.push(
            `${file} projects.${entry.path}: ${variable} ${rest} (set it under the project, under defaults, or in the environment)`,
          );
        }
      }
    }
  }
  problems.push(...sharedNameProblems(projects, file, (project) => where.get(project)));
  problems.push(...sharedRoomProblems(projects, file));
  if (problems.length > 0) throw new ConfigError(problems);
  return projects;
}

/**
 * Several projects on one load balancer need names of their own: one host name template
 * for all (the default, mr-{mr}.{domain}) would give acme/shop!1 and acme/api!1 one name.
 * {project} is the path's last part, which two projects may share; {random} never repeats.
 */
function sharedNameProblems(
  projects: ProjectConfig[],
  file: string,
  entryOf: (project: ProjectConfig) => ProjectEntry | undefined,
): string[] {
  const problems: string[] = [];
  const named = new Map<string, string>();
  for (const project of projects) {
    const { router } = project;
    const template = router?.hostTemplate;
    if (!router || !template || template.includes('{random}')) continue;
    // The name its !1 would get: two projects with one name for it share every name.
    const names = hostName({ project: project.path, mr: 1 }, router);
    const slug = projectSlug(project.path);
    const other = named.get(names);
    if (other === undefined) {
      named.set(names, project.path);
      continue;
    }
    const entry = entryOf(project);
    const line = entry?.lines.REVIEW_APP_HOST_TEMPLATE ?? entry?.line;
    const at = `${file}${line === undefined ? '' : ` line ${line}`}: projects.${project.path}.`;
    problems.push(
      template.includes('{project}')
        ? `${at}REVIEW_APP_HOST_TEMPLATE gives it the names of ${other} ({project} is "${slug}" for both): give one of them a template of its own (e.g. ${slug}-2-mr-{mr}.{domain})`
        : `${at}REVIEW_APP_HOST_TEMPLATE ${template} gives its apps the names of ${other}'s: with several projects, put {project} in it (e.g. {project}-mr-{mr}.{domain}, under defaults)`,
    );
  }
  return problems;
}

/** An ALB holds at most 100 target groups (not adjustable), one per running app of any project. */
const LOAD_BALANCER_TARGET_GROUPS = 100;

/** Every project's MAX_RUNNING_APPS apps are behind the one load balancer at once, at worst. */
function sharedRoomProblems(projects: ProjectConfig[], file: string): string[] {
  const routed = projects.filter((project) => project.router);
  const total = routed.reduce((sum, project) => sum + project.engine.limits.maxRunning, 0);
  if (routed.length < 2 || total <= LOAD_BALANCER_TARGET_GROUPS) return [];
  const each = routed.map((project) => `${project.path} ${project.engine.limits.maxRunning}`);
  return [
    `${file}: MAX_RUNNING_APPS of the projects add up to ${total} (${each.join(', ')}), more than the ${LOAD_BALANCER_TARGET_GROUPS} target groups the load balancer holds, one per running app: lower them so that they add up to ${LOAD_BALANCER_TARGET_GROUPS} at most`,
  ];
}

/** What the bot runs with: its projects and its Slack app. */
export interface BotSetup {
  projects: ProjectConfig[];
  slack: SlackSettings;
  logFormat: LogFormat | undefined;
}

/**
 * The bot's configuration: the environment alone (one project, exactly as before), or the
 * Slack app from the environment and the projects from REVIEW_APP_CONFIG; every problem of
 * both at once.
 */
export function loadBotSetup(env: Env, readFile: (path: string) => string): BotSetup {
  if (!env.REVIEW_APP_CONFIG?.trim()) {
    const { slack, logFormat, ...config } = loadBotConfig(env);
    const path = env.GITLAB_PROJECT?.trim() ?? '';
    return {
      projects: [{ ...config, path, channels: [], access: slack.access }],
      slack,
      logFormat,
    };
  }
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const slack = attempt(() => loadSlackConfig(env));
  const projects = attempt(() => loadProjects(env, readFile));
  if (!slack || !projects) throw new ConfigError(problems);
  return { projects, ...slack };
}
