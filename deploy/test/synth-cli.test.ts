import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'review-app-cdk-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `cdk synth` as an operator runs it, offline: no version check, no telemetry, no notices. */
function synth(configFile: string) {
  return run(
    'npx',
    ['cdk', 'synth', '--no-notices', '-c', `config=${configFile}`, '-o', join(work, 'cdk.out')],
    {
      cwd: new URL('..', import.meta.url),
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' },
    },
  );
}

describe('npx cdk synth', { timeout: 240_000 }, () => {
  it('synthesizes the example configuration into one stack template', async () => {
    const example = readFileSync(
      new URL('../review-app-bot.example.json', import.meta.url),
      'utf8',
    );
    const file = join(work, 'review-app-bot.json');
    writeFileSync(file, example);
    await synth(file);
    const template = JSON.parse(
      readFileSync(join(work, 'cdk.out', 'ReviewAppBot.template.json'), 'utf8'),
    );
    expect(
      Object.values(template.Resources).map((resource) => (resource as { Type: string }).Type),
    ).toContain('AWS::ECS::Service');
  });

  it('says in one line per problem what to fix in the configuration, without a stack trace', async () => {
    const file = join(work, 'broken.json');
    writeFileSync(
      file,
      JSON.stringify({ gitlab: { url: 'gitlab.example.com', project: 'acme/shop' } }),
    );
    const failure = await synth(file).then(
      () => undefined,
      (error: { stderr: string }) => error,
    );
    expect(failure?.stderr).toContain('The deployment configuration has problems:');
    expect(failure?.stderr).toContain('- tokensSecretArn:');
    expect(failure?.stderr).toContain('- gitlab.url:');
    expect(failure?.stderr).not.toMatch(/\n\s+at /);
  });
});
