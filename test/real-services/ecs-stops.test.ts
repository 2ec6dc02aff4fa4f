import { demoTaskDefinition } from '@review-app-bot/sandbox';
import { describe, expect, it } from 'vitest';
import { buttons, launchedMr, shown, startBotWorld } from '../support/bot.js';
import { cli } from '../support/cli.js';
import { startWorld } from '../support/world.js';

const MINUTE = 60_000;
const REPOSITORY = 'registry.example.test/acme/shop';

/** The base definition with the entry point spelled out, as command mode needs. */
function withEntryPoint(family: string) {
  const base = demoTaskDefinition();
  const [web] = base.containerDefinitions;
  return {
    ...base,
    family,
    containerDefinitions: [{ ...web, entryPoint: ['node'], command: ['server.js'] }],
  };
}

describe('REVIEW_APP_TTL_MODE=command on real images', () => {
  it('wraps the entry point and keeps the command, since ECS command is only CMD', async () => {
    await using world = await startWorld();
    world.aws.addTaskDefinition(withEntryPoint('shop-entry'));
    world.addMergeRequest(8);
    const result = await cli(world, ['launch', '8'], {
      ECS_TASK_DEFINITION: 'shop-entry',
      REVIEW_APP_TTL_MODE: 'command',
      REVIEW_APP_MAX_LIFETIME: '1h',
    });
    expect(result.code).toBe(0);
    const registered = world.aws.callsTo('RegisterTaskDefinition')[0] ?? {};
    const [web] = registered.containerDefinitions as {
      entryPoint?: string[];
      command?: string[];
    }[];
    expect(web?.entryPoint).toEqual(['timeout', '3600', 'node']);
    expect(web?.command).toEqual(['server.js']);
  });

  it('refuses a container without an entry point, naming it and what to add', async () => {
    await using world = await startWorld();
    // The image has an ENTRYPOINT that the task definition does not show.
    world.aws.describeImage(REPOSITORY, { entryPoint: ['docker-entrypoint.sh'] });
    world.addMergeRequest(9);
    const result = await cli(world, ['launch', '9'], { REVIEW_APP_TTL_MODE: 'command' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('entry point of container web');
    expect(result.stderr).toContain('Add "entryPoint" to container web');
    expect(world.aws.callsTo('RunTask')).toHaveLength(0);
  });

  it('tells a hard-cap stop by BusyBox timeout (no exit code 124) by its deadline', async () => {
    await using w = await startBotWorld({
      env: { ECS_TASK_DEFINITION: 'shop-alpine', REVIEW_APP_TTL_MODE: 'command' },
    });
    w.aws.addTaskDefinition(withEntryPoint('shop-alpine'));
    w.aws.describeImage(REPOSITORY, { timeout: 'busybox' });
    const app = await launchedMr(w, 7);
    await w.bot.stop();
    w.clock.advance(2 * 60 * MINUTE + MINUTE);
    await w.restart();
    await w.bot.watcher.recover();
    const [web] = w.aws.task(app.arn)?.containers ?? [];
    expect(web?.exitCode).toBe(143);
    const notices = app.replies().filter((m) => m.reply_broadcast);
    expect(notices).toHaveLength(1);
    expect(shown(notices[0] as never)).toContain(
      'reached its maximum lifetime and was stopped by ECS',
    );
  });
});

describe('out of memory', () => {
  it('says the app ran out of memory and its limit, naming the app container, not a sidecar', async () => {
    await using w = await startBotWorld({
      env: { ECS_TASK_DEFINITION: 'shop-sidecar', ECS_CONTAINER: 'web' },
    });
    const base = demoTaskDefinition();
    w.aws.addTaskDefinition({
      ...base,
      family: 'shop-sidecar',
      containerDefinitions: [
        {
          name: 'log-router',
          image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
          essential: false,
        },
        ...base.containerDefinitions,
      ],
    } as never);
    const app = await launchedMr(w, 5);
    w.aws.runOutOfMemory(app.arn, 'web');
    w.clock.advance(MINUTE);
    await w.bot.watcher.round();
    const notices = app.replies().filter((m) => m.reply_broadcast);
    expect(notices).toHaveLength(1);
    const text = shown(notices[0] as never);
    expect(text).toContain('The app (container web) ran out of memory');
    expect(text).toContain("the task's 512 MiB");
    expect(text).not.toContain('log-router');
    expect(text).not.toContain('review-app-lifetime');
    expect(buttons(notices[0] as never).map((b) => b.text)).toEqual(['Relaunch']);
  });
});
