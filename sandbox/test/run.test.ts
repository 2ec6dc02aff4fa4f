import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import type { Env } from '../../src/config/config.js';
import { loadBotConfig } from '../../src/config/config.js';
import type { Clock } from '../../src/core/clock.js';
import { dotenvText, startSandbox } from '../src/run.js';

/** Real time, but polling does not wait: the AWS stand-in moves a task on at every DescribeTasks. */
const noWait: Clock = { now: () => Date.now(), sleep: async () => {} };

async function cli(env: Env, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    clock: noWait,
  });
  return { code, stdout, stderr, lines: stdout.trim().split('\n') };
}

describe('the local sandbox', () => {
  it('lets the CLI launch a seeded merge request and print its URL', async () => {
    await using sandbox = await startSandbox();

    const result = await cli(sandbox.env, ['launch', '1', '--wait']);

    expect(result.stderr).toContain('Merge request !1: Checkout page');
    expect(result.code).toBe(0);
    expect(result.lines.at(-1)).toMatch(/^http:\/\/[0-9.]+:3000$/);
    const [run] = sandbox.aws.callsTo('RunTask');
    expect(run).toMatchObject({ cluster: 'review-apps', startedBy: 'review-app-bot' });
    expect(sandbox.aws.tasks()[0]?.lastStatus).toBe('RUNNING');
  });

  it('has a merge request whose image is not built yet, and says so', async () => {
    await using sandbox = await startSandbox();

    const result = await cli(sandbox.env, ['launch', '3', '--wait']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('pipeline #1003 is running');
    expect(sandbox.aws.callsTo('RunTask')).toHaveLength(0);
  });

  it('prints an environment the bot accepts, in Socket Mode against the Slack stand-in', async () => {
    await using sandbox = await startSandbox();

    const { slack } = loadBotConfig(sandbox.env);

    expect(slack.appToken).toBe(sandbox.slack.appToken);
    expect(slack.apiUrl).toBe(sandbox.slack.apiUrl);
    expect(parse(dotenvText(sandbox.env))).toEqual(sandbox.env);
  });
});
