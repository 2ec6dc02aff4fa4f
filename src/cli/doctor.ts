import { doctorChecks, type ProjectsDoctorReport, projectsDoctorChecks } from '../compose.js';
import { ConfigError, type Env, loadConfig } from '../config/config.js';
import { loadProjects } from '../config/projects.js';
import type { CheckResult } from '../core/check.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { plural } from '../core/words.js';

interface DoctorOptions {
  env: Env;
  json: boolean;
  logger: Logger;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Reads the file REVIEW_APP_CONFIG names. */
  readFile: (path: string) => string;
  /** What time it is for the ended pages' deadlines (the system's unless given). */
  clock?: Clock | undefined;
}

/**
 * `review-app doctor`: checks a setup against the real services before users
 * try it. Read-only: it lists and describes, and never starts, registers or
 * tags anything. One line per check; exit 0 when all pass, 1 otherwise, 2 when
 * the configuration itself is wrong. With review-apps.yml, the shared checks
 * first, then each project's under its own heading.
 */
export async function runDoctor(options: DoctorOptions): Promise<number> {
  const { env, err } = options;
  try {
    if (env.REVIEW_APP_CONFIG?.trim()) {
      const projects = loadProjects(env, options.readFile);
      return report(
        await projectsDoctorChecks({ projects, env, logger: options.logger, clock: options.clock }),
        options,
      );
    }
    const results = await doctorChecks({
      config: loadConfig(env),
      env,
      logger: options.logger,
      clock: options.clock,
    });
    return reportOne(results, options);
  } catch (error) {
    if (error instanceof ConfigError) {
      err(error.message);
      return 2;
    }
    throw error;
  }
}

function reportOne(results: CheckResult[], { json, out }: DoctorOptions): number {
  const failures = results.filter((r) => !r.ok).length;
  if (json) out(JSON.stringify({ ok: failures === 0, checks: results }, null, 2));
  else {
    for (const r of results) out(line(r));
    out(summary(results.length, failures));
  }
  return failures === 0 ? 0 : 1;
}

function report(results: ProjectsDoctorReport, { json, out }: DoctorOptions): number {
  const all = [...results.shared, ...results.projects.flatMap((project) => project.checks)];
  const failures = all.filter((r) => !r.ok).length;
  if (json) {
    out(
      JSON.stringify(
        {
          ok: failures === 0,
          shared: results.shared,
          projects: results.projects.map(({ path, checks }) => ({
            project: path,
            ok: checks.every((r) => r.ok),
            checks,
          })),
        },
        null,
        2,
      ),
    );
  } else {
    out('Shared by every project:');
    for (const r of results.shared) out(line(r));
    for (const { path, checks } of results.projects) {
      out('');
      out(`${path}:`);
      for (const r of checks) out(line(r));
    }
    out('');
    out(summary(all.length, failures));
  }
  return failures === 0 ? 0 : 1;
}

const line = (r: CheckResult) => `${r.ok ? '✓' : '✗'} ${r.name}: ${r.detail}`;

function summary(count: number, failures: number): string {
  return failures === 0
    ? `All ${plural(count, 'check')} passed.`
    : `${plural(failures, 'check')} of ${count} failed.`;
}
