/**
 * How the watcher scales: for N running review apps, the time and memory of
 * one watch round and the ECS calls it makes, against the loopback AWS
 * stand-in. Reported, never asserted: run with `npm run bench`.
 */
import { randomUUID } from 'node:crypto';
import { createAwsClients } from '../src/aws/clients.js';
import { EcsPlatform } from '../src/aws/ecs-platform.js';
import { awsOptionsFromEnv, createEngine } from '../src/compose.js';
import { loadEngineConfig } from '../src/config/config.js';
import { silentLogger } from '../src/core/logger.js';
import { metaToTags } from '../src/core/tags.js';
import type { Notifier } from '../src/tracker/watcher.js';
import { Watcher } from '../src/tracker/watcher.js';
import { startWorld } from '../test/support/world.js';

const sizes = (process.argv[2] ?? '10,100,250,1000').split(',').map(Number);
const notifier: Notifier = {
  countdown: async () => 'updated',
  warn: async () => {},
  ended: async () => {},
};

console.log('apps\tround ms (median of 5)\tDescribeTasks\tListTasks\theap MB');
for (const size of sizes) {
  await using world = await startWorld({ autoAdvance: false });
  const config = loadEngineConfig(world.env);
  const platform = new EcsPlatform(createAwsClients(awsOptionsFromEnv(world.env)), config);
  const definition = await platform.prepareTaskDefinition('registry.example.test/acme/shop:bench');
  const now = world.clock.now();
  for (let mr = 1; mr <= size; mr++) {
    const task = await platform.runTask(definition.arn, {
      image: 'registry.example.test/acme/shop:bench',
      clientToken: randomUUID(),
      tags: metaToTags({
        project: 'acme/shop',
        mr,
        title: `Merge request ${mr}`,
        branch: `feature/${mr}`,
        sha: 'bench',
        image: 'registry.example.test/acme/shop:bench',
        requester: 'U1',
        source: 'slack',
        channel: 'C1',
        thread: `1.${mr}`,
        statusTs: `2.${mr}`,
        launchedAt: now,
        softDeadline: now + 30 * 60_000,
        hardDeadline: now + 120 * 60_000,
        url: 'http://10.0.0.1:3000',
      }),
    });
    world.aws.runTaskNow(task.arn);
  }
  const engine = createEngine({ config, env: world.env, logger: silentLogger, clock: world.clock });
  const watcher = new Watcher({
    engine,
    notifier,
    clock: world.clock,
    logger: silentLogger,
    updatesPerMinute: 30,
  });
  const times: number[] = [];
  let describes = 0;
  let lists = 0;
  for (let run = 0; run < 5; run++) {
    const before = world.aws.operations().length;
    const started = performance.now();
    await watcher.round();
    times.push(performance.now() - started);
    const calls = world.aws.operations().slice(before);
    describes = calls.filter((op) => op === 'DescribeTasks').length;
    lists = calls.filter((op) => op === 'ListTasks').length;
    world.clock.advance(15_000);
  }
  times.sort((a, b) => a - b);
  const heap = process.memoryUsage().heapUsed / 1024 / 1024;
  console.log(`${size}\t${(times[2] ?? 0).toFixed(1)}\t${describes}\t${lists}\t${heap.toFixed(1)}`);
}
