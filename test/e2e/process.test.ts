import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { startSlackStandIn } from '@review-app-bot/sandbox';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { startWorld } from '../support/world.js';

/**
 * The real program as an operator runs it: a process configured only through
 * its environment, pointed at loopback stand-ins, stopped with SIGTERM.
 */
describe('the bot process', () => {
  it('starts from its environment, answers health checks, and on SIGTERM stops cleanly leaving apps running', async () => {
    // The process runs on the real clock: so does this world, or the app would look long expired.
    await using world = await startWorld({ startAt: Date.now() });
    await using slack = await startSlackStandIn();
    world.addMergeRequest(1);
    const launched = await runCli(['launch', '1', '--wait'], {
      env: world.env,
      stdout: () => {},
      stderr: () => {},
      clock: world.clock,
    });
    expect(launched).toBe(0);

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH,
        ...world.env,
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'test-signing-secret',
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const started = new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const line = stderr.split('\n').find((l) => l.includes('review app bot started'));
        if (line) resolve((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const port = await started;

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const ack = await slack.sendSlashCommand(`http://127.0.0.1:${port}/slack/events`, {
      text: 'help',
    });
    expect(ack.status).toBe(200);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(stderr).toContain('running review apps keep their deadlines and hard cap');
    expect(world.aws.callsTo('StopTask')).toHaveLength(0);
    expect(world.aws.tasks()[0]?.lastStatus).toBe('RUNNING');
    // A cold start compiles the program and loads the AWS SDK: slow on a busy two-core machine.
  }, 60_000);

  it('exits 2 with every configuration problem named, and no stack trace', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: 'xoxb-secret-value' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('SLACK_SIGNING_SECRET is required in HTTP mode');
    expect(stderr).toContain('GITLAB_TOKEN is required');
    expect(stderr).toContain('ECS_SUBNETS is required');
    expect(stderr).not.toContain('    at ');
    expect(stderr).not.toContain('xoxb-secret-value');
  });
});
