import { describe, expect, it } from 'vitest';
import type { ReviewAppEngine } from '../../src/core/engine.js';
import { silentLogger } from '../../src/core/logger.js';
import type { ReviewApp } from '../../src/core/types.js';
import { type CountdownResult, type Notifier, Watcher } from '../../src/watcher/watcher.js';
import { seedRunningApps } from '../support/seed.js';
import { startWorld, type World } from '../support/world.js';

const MINUTE = 60_000;

/** What users would see change: which status messages were refreshed, warned, ended. */
class RecordingNotifier implements Notifier {
  countdowns: number[] = [];
  endings: number[] = [];
  result: CountdownResult = 'updated';
  async countdown(app: ReviewApp) {
    this.countdowns.push(app.meta.mr);
    return this.result;
  }
  async warn() {}
  async ended(app: ReviewApp) {
    this.endings.push(app.meta.mr);
  }
}

/** A watcher as the bot runs it: 30 updates a minute, a round every 15 seconds. */
function watcherOver(world: World, engine: ReviewAppEngine, notifier: Notifier): Watcher {
  return new Watcher({
    engine,
    notifier,
    clock: world.clock,
    logger: silentLogger,
    updatesPerMinute: 30,
    intervalMs: 15_000,
  });
}

describe('watching many apps', () => {
  it('reads 250 apps with 3 DescribeTasks calls a round', async () => {
    await using world = await startWorld({ autoAdvance: false });
    const engine = await seedRunningApps(world, 250);
    const watcher = watcherOver(world, engine, new RecordingNotifier());
    const before = world.aws.operations().length;
    await watcher.round();
    const calls = world.aws.operations().slice(before);
    expect(calls.filter((op) => op === 'DescribeTasks')).toHaveLength(3);
    expect(calls.filter((op) => op === 'ListTasks')).toHaveLength(3);
  });

  it('spreads countdown updates within the budget, oldest first, so every app is refreshed in turn', async () => {
    await using world = await startWorld({ autoAdvance: false });
    const engine = await seedRunningApps(world, 90);
    const notifier = new RecordingNotifier();
    const watcher = watcherOver(world, engine, notifier);
    for (let minute = 0; minute < 3; minute++) {
      for (let round = 0; round < 4; round++) {
        await watcher.round();
        world.clock.advance(15_000);
      }
    }
    // Three minutes at 30 a minute: at most 30 + 3 × 30 (the bucket starts full), never more.
    expect(notifier.countdowns.length).toBeLessThanOrEqual(120);
    expect(notifier.countdowns.length).toBeGreaterThanOrEqual(90);
    // Every app got its turn before any got a second one.
    expect(new Set(notifier.countdowns.slice(0, 90)).size).toBe(90);
  });

  it('backs off every countdown for a while when Slack rate-limits', async () => {
    await using world = await startWorld({ autoAdvance: false });
    const engine = await seedRunningApps(world, 5);
    const notifier = new RecordingNotifier();
    notifier.result = { retryAfterMs: 60_000 };
    const watcher = watcherOver(world, engine, notifier);
    await watcher.round();
    expect(notifier.countdowns).toHaveLength(1);
    notifier.result = 'updated';
    world.clock.advance(30_000);
    await watcher.round();
    expect(notifier.countdowns).toHaveLength(1);
    world.clock.advance(31_000);
    await watcher.round();
    expect(notifier.countdowns).toHaveLength(6);
  });

  it('loops on its own clock until stopped', async () => {
    await using world = await startWorld({ autoAdvance: false });
    const engine = await seedRunningApps(world, 2);
    const notifier = new RecordingNotifier();
    const watcher = watcherOver(world, engine, notifier);
    const listed = () => world.aws.operations().filter((op) => op === 'ListTasks').length;
    const before = listed();
    watcher.start();
    await expect.poll(() => world.clock.waiting).toBe(1);
    // The first round after start-up also looks at stopped tasks: two ListTasks.
    expect(listed() - before).toBe(2);
    world.clock.advance(15_000);
    await expect.poll(() => listed() - before).toBe(3);
    await expect.poll(() => world.clock.waiting).toBe(1);
    world.clock.advance(30 * MINUTE);
    await expect.poll(() => notifier.endings.length).toBe(2);
    await watcher.stop();
    expect(world.clock.waiting).toBe(0);
  });
});
