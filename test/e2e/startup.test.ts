import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { startSlackStandIn } from '@review-app-bot/sandbox';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/config.js';
import { startWorld } from '../support/world.js';

/** The bot process with this environment, until it exits by itself. */
async function runBot(env: Env): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr, stdout };
}

/** What an operator reads: the lines that are not JSON log records. */
function said(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));
}

function expectOneLine(result: { code: number | null; stderr: string }, text: string) {
  expect(result.code).toBe(1);
  expect(said(result.stderr)).toEqual([expect.stringContaining(text)]);
  expect(result.stderr).not.toContain('    at ');
}

/**
 * A first deployment that fails says what to fix: one line naming the
 * variable or port, a non-zero exit, no stack trace.
 */
describe('a bot that cannot start', () => {
  it('names SLACK_BOT_TOKEN when Slack refuses it', async () => {
    await using world = await startWorld();
    await using slack = await startSlackStandIn();
    const base = { ...world.env, SLACK_API_URL: slack.apiUrl, PORT: '0' };

    const wrongBot = await runBot({
      ...base,
      SLACK_BOT_TOKEN: 'xoxb-revoked-secret',
      SLACK_SIGNING_SECRET: 'secret',
    });
    expectOneLine(wrongBot, 'Slack refused SLACK_BOT_TOKEN (invalid_auth)');
    expect(wrongBot.stderr).not.toContain('xoxb-revoked-secret');
  });

  it('names SLACK_APP_TOKEN when Slack refuses it in Socket Mode', async () => {
    await using world = await startWorld();
    await using slack = await startSlackStandIn();
    const base = { ...world.env, SLACK_API_URL: slack.apiUrl, PORT: '0' };
    const wrongApp = await runBot({
      ...base,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: 'xapp-wrong',
    });
    expectOneLine(wrongApp, 'Slack refused SLACK_APP_TOKEN (invalid_auth)');
  });

  it('says which port is busy', async () => {
    await using world = await startWorld();
    await using slack = await startSlackStandIn();
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const result = await runBot({
        ...world.env,
        SLACK_API_URL: slack.apiUrl,
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: 'secret',
        PORT: String(port),
      });
      expectOneLine(result, `PORT ${port} is already in use`);
    } finally {
      busy.close();
    }
  });

  it('says Slack cannot be reached', async () => {
    await using world = await startWorld();
    // A port that was just free: nothing answers there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runBot({
      ...world.env,
      SLACK_API_URL: `http://127.0.0.1:${port}/api/`,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'secret',
      PORT: '0',
    });
    expectOneLine(result, 'Slack could not be reached');
    expect(result.stderr).toContain('SLACK_API_URL');
  });

  it('refuses an app-level token given as the bot token before calling Slack', async () => {
    const result = await runBot({ SLACK_BOT_TOKEN: 'xapp-1-secret', SLACK_APP_TOKEN: 'xapp-2' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'SLACK_BOT_TOKEN is an app-level token (xapp-...), which belongs in SLACK_APP_TOKEN',
    );
    expect(result.stderr).not.toContain('    at ');
  });
});

describe('the CLI on an older Node', () => {
  it('prints one line of its own instead of the AWS SDK’s version warning, and still works', async () => {
    await using world = await startWorld({ startAt: Date.now() });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'list'], {
      env: { PATH: process.env.PATH, ...world.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(stderr).not.toContain('NodeVersionSupportWarning');
    const major = Number(process.versions.node.split('.')[0]);
    const notices = stderr.split('\n').filter((line) => line.includes('supports Node 22'));
    expect(notices).toHaveLength(major < 22 ? 1 : 0);
  });
});
