import { silentLogger } from '../src/core/logger.js';
import type { Notifier } from '../src/watcher/watcher.js';
import { Watcher } from '../src/watcher/watcher.js';
import { seedRunningApps } from '../test/support/seed.js';
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
  const engine = await seedRunningApps(world, size);
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
