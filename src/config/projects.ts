import { type Config, ConfigError, type Env, loadConfig } from './config.js';
import { ProjectFileError, parseProjectFile } from './project-file.js';

/** One project's settings, with the channels where it is the default. */
export type ProjectConfig = Config & { path: string; channels: string[] };

/**
 * The projects the bot serves: those of `REVIEW_APP_CONFIG` (review-apps.yml), each
 * parsed by the same rules as the environment, or the one project the environment
 * describes. Every problem of every project at once, each where the operator fixes it:
 * the file's line for what the file set, the variable for what the environment set.
 */
export function loadProjects(env: Env, readFile: (path: string) => string): ProjectConfig[] {
  const file = env.REVIEW_APP_CONFIG?.trim();
  if (!file) return [{ ...loadConfig(env), path: env.GITLAB_PROJECT?.trim() ?? '', channels: [] }];

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
      projects.push({ ...loadConfig(entry.env), path: entry.path, channels: entry.channels });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const problem of error.problems) {
        // A problem reads "<VARIABLE> <what is wrong>".
        const variable = problem.slice(0, problem.indexOf(' '));
        const rest = problem.slice(variable.length + 1);
        const line = entry.lines[variable];
        problems.push(
          line === undefined
            ? `${file} projects.${entry.path}: ${variable} ${rest} (set it under the project, under defaults, or in the environment)`
            : `${file} line ${line}: projects.${entry.path}.${variable} ${rest}`,
        );
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return projects;
}
