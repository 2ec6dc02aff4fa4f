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
import { ProjectFileError, parseProjectFile, SHARED_SETTINGS } from './project-file.js';

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
  for (const entry of entries) {
    try {
      projects.push({
        ...loadConfig(entry.env),
        path: entry.path,
        channels: entry.channels,
        access: accessOf(entry.env),
      });
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
  if (problems.length > 0) throw new ConfigError(problems);
  return projects;
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
