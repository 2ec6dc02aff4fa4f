import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { closedLoopbackUrl } from '../support/unreachable.js';
import { startWorld } from '../support/world.js';

const nonEmpty = (text: string) => text.split('\n').filter((line) => line.trim() !== '');
const isJson = (line: string) => {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
};

describe('what the CLI prints where', () => {
  it('launch --wait: standard output is the URL alone; log lines on standard error are text', async () => {
    await using world = await startWorld();
    world.addMergeRequest(42);
    const result = await cli(world, ['launch', '42', '--wait']);
    expect(result.code).toBe(0);
    const task = world.aws.tasks()[0];
    const eni = world.aws.networkInterface(task?.taskArn as string);
    expect(result.stdout).toBe(`http://${eni?.publicIp}:3000\n`);
    const logged = nonEmpty(result.stderr);
    expect(logged).toContainEqual(
      expect.stringMatching(/^info {2}review app started mr=42 task=arn:aws:ecs:/),
    );
    expect(logged.filter(isJson)).toEqual([]);
  });

  it('doctor: only the checks on standard output, and the Slack client’s complaints as text on standard error', async () => {
    await using world = await startWorld();
    const closed = await closedLoopbackUrl();
    const result = await cli(world, ['doctor'], {
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_API_URL: `${closed}/api/`,
    });
    expect(result.code).toBe(1);
    expect(
      nonEmpty(result.stdout).every((line) =>
        /^[✓✗] |checks? (of \d+ )?(passed|failed)/.test(line),
      ),
    ).toBe(true);
    const logged = nonEmpty(result.stderr);
    expect(logged).toContainEqual(
      expect.stringMatching(/^warn {2}http request failed fetch failed source=bolt$/),
    );
    expect(logged.filter(isJson)).toEqual([]);
  });

  it('logs JSON lines with --log-format json, or LOG_FORMAT=json; the flag wins', async () => {
    await using world = await startWorld();
    const closed = await closedLoopbackUrl();
    const env = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_API_URL: `${closed}/api/` };
    for (const [argv, extra] of [
      [['doctor', '--log-format', 'json'], {}],
      [['doctor'], { LOG_FORMAT: 'json' }],
    ] as const) {
      const result = await cli(world, [...argv], { ...env, ...extra });
      const logged = nonEmpty(result.stderr);
      expect(logged.length).toBeGreaterThan(0);
      expect(logged.every(isJson)).toBe(true);
      expect(JSON.parse(logged[0] as string)).toMatchObject({ level: 'warn', source: 'bolt' });
      expect(nonEmpty(result.stdout).filter(isJson)).toEqual([]);
    }
    const text = await cli(world, ['doctor', '--log-format', 'text'], {
      ...env,
      LOG_FORMAT: 'json',
    });
    expect(nonEmpty(text.stderr).filter(isJson)).toEqual([]);
  });

  it('refuses a log format it does not know, naming where it came from', async () => {
    await using world = await startWorld();
    const flag = await cli(world, ['doctor', '--log-format', 'xml']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--log-format must be json or text (got "xml").');
    const env = await cli(world, ['list'], { LOG_FORMAT: 'yaml' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('LOG_FORMAT must be json or text (got "yaml").');
  });
});
