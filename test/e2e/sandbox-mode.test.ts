import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { build } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReviewAppError } from '../../src/core/errors.js';
import {
  chooseMode,
  loadSandboxPackage,
  sandboxHint,
  sandboxSpeed,
} from '../../src/sandbox-mode.js';

/** A program's exit code and what it wrote, once it exits by itself. */
async function run(args: string[], env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return {
    code,
    stdout,
    stderr,
    said: stderr.split('\n').filter((l) => l && !/^(\{|info |warn |error )/.test(l)),
  };
}

describe('npm start with nothing configured', () => {
  it('runs the sandbox in one process: the log says why, the page answers, SIGTERM stops it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = /open (http:\/\/localhost:[0-9]+)/.exec(stdout);
        if (found) resolve(found[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    // A person at a terminal reads the sandbox's log: text, not JSON.
    expect(stderr).toContain(
      'info  starting the sandbox mode=sandbox reason="no SLACK_BOT_TOKEN and no other configuration"',
    );
    expect(stderr).not.toMatch(/^\{/m);

    const page = await fetch(url.replace('localhost', '127.0.0.1'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Review App Bot sandbox</title>');

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    // A cold start compiles the program and loads the AWS SDK: slow on a busy two-core machine.
  }, 60_000);

  it('chooses the real bot as soon as any of its configuration is given', () => {
    expect(chooseMode({}).mode).toBe('sandbox');
    expect(chooseMode({ PORT: '8080', SANDBOX_SPEED: '60' }).mode).toBe('sandbox');
    expect(chooseMode({ SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual({
      mode: 'bot',
      reason: 'SLACK_BOT_TOKEN set',
    });
    expect(chooseMode({ GITLAB_TOKEN: 'glpat-1' }).mode).toBe('bot');
    expect(chooseMode({ REVIEW_APP_CONFIG: 'review-apps.yml' }).mode).toBe('bot');
  });

  it('says in one line what to configure when the sandbox is not installed (the production image)', async () => {
    const error = await loadSandboxPackage('@review-app-bot/not-installed').catch((e) => e);
    expect(isReviewAppError(error, 'SANDBOX_UNAVAILABLE')).toBe(true);
    expect(error.message).toMatch(/^Nothing is configured .*SLACK_BOT_TOKEN.*\.$/);
    expect(error.message).not.toContain('\n');
  });

  it('reads SANDBOX_SPEED, and refuses nonsense', () => {
    expect(sandboxSpeed({})).toBe(1);
    expect(sandboxSpeed({ SANDBOX_SPEED: '60' })).toBe(60);
    expect(() => sandboxSpeed({ SANDBOX_SPEED: 'fast' })).toThrow(/SANDBOX_SPEED must be a number/);
  });

  it('says which variables chose the bot, and that unsetting them gives the sandbox', async () => {
    const result = await run(['--import', 'tsx', 'src/main.ts'], {
      GITLAB_TOKEN: 'glpat-exported-for-another-tool',
    });
    expect(result.code).toBe(2);
    expect(result.said).toContain(
      'GITLAB_TOKEN is set (in the shell or .env), so the real bot started: unset it (unset GITLAB_TOKEN) and `npm start` runs the sandbox instead.',
    );
    expect(result.stderr).toContain('GITLAB_PROJECT is required');
    expect(result.stderr).not.toContain('glpat-exported-for-another-tool');
  }, 60_000);

  it('names every variable that is set, and says nothing of a sandbox the installation lacks', () => {
    expect(sandboxHint({ GITLAB_URL: 'https://gitlab.example.com', ECS_CLUSTER: 'x' })).toBe(
      'GITLAB_URL, ECS_CLUSTER are set (in the shell or .env), so the real bot started: unset them (unset GITLAB_URL ECS_CLUSTER) and `npm start` runs the sandbox instead.',
    );
    expect(
      sandboxHint({ GITLAB_TOKEN: 'glpat-1' }, '@review-app-bot/not-installed'),
    ).toBeUndefined();
    expect(sandboxHint({ PORT: '8080' })).toBeUndefined();
  });
});

/**
 * The bot as plain Node runs it from a checkout, like `npm run build && node
 * dist/main.js`: compiled to JavaScript (bundled here, in a fraction of the
 * time tsc takes), with the packages, the sandbox's TypeScript among them, left
 * to Node to load.
 */
describe('the built bot started from a checkout with nothing configured', () => {
  const directory = `${process.cwd()}/node_modules/.cache/built-main-test/${process.pid}`;
  beforeAll(async () => {
    await build({
      input: 'src/main.ts',
      platform: 'node',
      external: (id) => !id.startsWith('.') && !id.startsWith('/'),
      output: {
        dir: directory,
        format: 'esm',
        entryFileNames: '[name].mjs',
        chunkFileNames: '[name]-[hash].mjs',
      },
      logLevel: 'silent',
    });
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('says in one line that `npm start` runs the sandbox and what to set for the bot', async () => {
    const result = await run([`${directory}/main.mjs`], {});
    expect(result.code).toBe(2);
    expect(result.said).toEqual([
      'Nothing is configured: `npm start` runs the sandbox (the built dist/ holds the bot only); to run the bot, set SLACK_BOT_TOKEN, GITLAB_URL, GITLAB_TOKEN, GITLAB_PROJECT and the ECS_* variables (see .env.example).',
    ]);
    expect(result.stderr).not.toContain('Unknown file extension');
  }, 60_000);
});
