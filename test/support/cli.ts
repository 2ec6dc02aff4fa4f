import { runCli } from '../../src/cli/cli.js';
import type { Env } from '../../src/config/config.js';
import type { World } from './world.js';

/** The CLI as a CI job runs it against the world's stand-ins: its exit code and what it printed. */
export async function cli(world: World, argv: string[], env: Env = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: { ...world.env, GITLAB_USER_LOGIN: 'ci-user', ...env },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    clock: world.clock,
  });
  return { code, stdout, stderr, lines: stdout.trim().split('\n') };
}
