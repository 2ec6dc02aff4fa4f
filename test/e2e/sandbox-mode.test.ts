import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isReviewAppError } from '../../src/core/errors.js';
import { chooseMode, loadSandboxPackage, sandboxSpeed } from '../../src/sandbox-mode.js';

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
    expect(stderr).toContain(
      '"mode":"sandbox","reason":"no SLACK_BOT_TOKEN and no other configuration"',
    );

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
});
