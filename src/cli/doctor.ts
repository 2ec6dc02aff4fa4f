import { doctorChecks } from '../compose.js';
import { ConfigError, type Env, loadConfig } from '../config/config.js';
import type { CheckResult } from '../core/check.js';
import type { Logger } from '../core/logger.js';
import { plural } from '../core/words.js';

/**
 * `review-app doctor`: checks a setup against the real services before users
 * try it. Read-only: it lists and describes, and never starts, registers or
 * tags anything. One line per check; exit 0 when all pass, 1 otherwise, 2 when
 * the configuration itself is wrong.
 */
export async function runDoctor(options: {
  env: Env;
  json: boolean;
  logger: Logger;
  out: (text: string) => void;
  err: (text: string) => void;
}): Promise<number> {
  const { env, out, err } = options;
  let results: CheckResult[];
  try {
    results = await doctorChecks({ config: loadConfig(env), env, logger: options.logger });
  } catch (error) {
    if (error instanceof ConfigError) {
      err(error.message);
      return 2;
    }
    throw error;
  }
  const failures = results.filter((r) => !r.ok).length;
  if (options.json) {
    out(JSON.stringify({ ok: failures === 0, checks: results }, null, 2));
  } else {
    for (const r of results) out(`${r.ok ? '✓' : '✗'} ${r.name}: ${r.detail}`);
    out(
      failures === 0
        ? `All ${plural(results.length, 'check')} passed.`
        : `${plural(failures, 'check')} of ${results.length} failed.`,
    );
  }
  return failures === 0 ? 0 : 1;
}
