import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/aws/clients.js';
import { awsOptionsFromEnv } from '../../src/compose.js';
import type { ReviewAppEngine } from '../../src/core/engine.js';
import { ReviewAppFleet } from '../../src/core/fleet.js';
import { silentLogger } from '../../src/core/logger.js';
import type { ReviewApp } from '../../src/core/types.js';
import { type CountdownResult, type Notifier, Watcher } from '../../src/watcher/watcher.js';
import { seedRunningApps } from '../support/seed.js';
import { PROJECT_ID, SUBNET, startWorld, taskTags, type World } from '../support/world.js';

const MINUTE = 60_000;

/** What users would see change: which status messages were refreshed, warned, ended. */
class RecordingNotifier implements Notifier {
  countdowns: number[] = [];
  /** When each countdown update went out (virtual time). */
  sentAt: number[] = [];
  endings: number[] = [];
  result: CountdownResult = 'updated';
  constructor(private readonly now: () => number = () => 0) {}
  async countdown(app: ReviewApp) {
    this.countdowns.push(app.meta.mr);
    this.sentAt.push(this.now());
    return this.result;
  }
  /** The most updates sent in any 60 seconds. */
  busiestMinute(): number {
    return Math.max(
      0,
      ...this.sentAt.map((t) => this.sentAt.filter((u) => u >= t && u < t + MINUTE).length),
    );
  }
  async warn() {
    return undefined;
  }
  async ended(app: ReviewApp) {
    this.endings.push(app.meta.mr);
    return 0;
  }
  async newCommit() {
    return undefined;
  }
}

/** A watcher as the bot runs it: 30 updates a minute, a round every 15 seconds. */
function watcherOver(world: World, engine: ReviewAppEngine, notifier: Notifier): Watcher {
  return new Watcher({
    fleet: ReviewAppFleet.of(engine),
    notifier,
    clock: world.clock,
    logger: silentLogger,
    updatesPerMinute: 30,
    intervalMs: 15_000,
  });
}

describe('watching many apps', () => {
  it('reads 250 apps with 5 DescribeTasks calls a round, and their MRs in 3 GitLab requests a minute', async () => {
    await using world = await startWorld({ autoAdvance: false });
    const engine = await seedRunningApps(world, 250);
    for (let mr = 1; mr <= 250; mr++) {
      world.gitlab.addMergeRequest(PROJECT_ID, {
        iid: mr,
        title: `MR ${mr}`,
        source_branch: `b${mr}`,
        sha: 'abc',
      });
    }
    world.gitlab.updateMergeRequest(PROJECT_ID, 250, { state: 'merged' });
    const notifier = new RecordingNotifier();
    const watcher = watcherOver(world, engine, notifier);
    const gitlabCalls = () => world.gitlab.requests.length;

    let before = gitlabCalls();
    const awsBefore = world.aws.operations().length;
    await watcher.round();
    const calls = world.aws.operations().slice(awsBefore);
    expect(calls.filter((op) => op === 'DescribeTasks')).toHaveLength(5);
    expect(calls.filter((op) => op === 'ListTasks')).toHaveLength(3);
    const listed = world.gitlab.requests.slice(before);
    expect(listed.map((r) => r.operation)).toEqual(
      Array(3).fill('GET /projects/:id/merge_requests'),
    );
    expect(listed.map((r) => r.query.getAll('iids[]').length)).toEqual([100, 100, 50]);
    expect(notifier.endings).toEqual([250]);

    before = gitlabCalls();
    for (let round = 0; round < 3; round++) {
      world.clock.advance(15_000);
      await watcher.round();
    }
    expect(gitlabCalls() - before).toBe(0);
    world.clock.advance(15_000);
    await watcher.round();
    expect(gitlabCalls() - before).toBe(3);
  });

  it('spreads countdown updates within the budget, oldest first, so every app is refreshed in turn', async () => {
    await using world = await startWorld({ autoAdvance: false });
    const engine = await seedRunningApps(world, 90);
    const notifier = new RecordingNotifier(world.clock.now);
    const watcher = watcherOver(world, engine, notifier);
    for (let round = 0; round < 16; round++) {
      await watcher.round();
      world.clock.advance(15_000);
    }
    // Four minutes at 30 a minute, and never more than 30 in any minute.
    expect(notifier.busiestMinute()).toBeLessThanOrEqual(30);
    expect(notifier.countdowns.length).toBeGreaterThanOrEqual(90);
    // Every app got its turn before any got a second one.
    expect(new Set(notifier.countdowns.slice(0, 90)).size).toBe(90);
  });

  it('keeps within the budget after a restart, also while adopting apps that have no URL yet', async () => {
    await using world = await startWorld({ autoAdvance: false });
    const engine = await seedRunningApps(world, 100, { url: false });
    const notifier = new RecordingNotifier(world.clock.now);
    // A bot that ran a while, then a restart: a new watcher picks up the same apps.
    for (let run = 0; run < 2; run++) {
      const watcher = watcherOver(world, engine, notifier);
      await watcher.recover();
      for (let round = 0; round < 16; round++) {
        world.clock.advance(15_000);
        await watcher.round();
      }
    }
    expect(notifier.busiestMinute()).toBeLessThanOrEqual(30);
    // Every app was adopted (its URL remembered) and shown with it in turn.
    expect(new Set(notifier.countdowns).size).toBe(100);
    expect(world.aws.callsTo('TagResource').length).toBeGreaterThanOrEqual(100);
  });

  it('adopts 250 running apps after a restart with 3 EC2 lookups, each app shown at its public IP', async () => {
    await using world = await startWorld({ autoAdvance: false });
    const engine = await seedRunningApps(world, 250, { url: false });
    const notifier = new RecordingNotifier(world.clock.now);
    const watcher = watcherOver(world, engine, notifier);

    await watcher.recover();

    // One DescribeNetworkInterfaces per 100 ENIs, not one per app.
    expect(world.aws.callsTo('DescribeNetworkInterfaces')).toHaveLength(3);
    const urls = new Map<string, string>();
    for (const call of world.aws.callsTo('TagResource')) {
      const { resourceArn, tags } = call as {
        resourceArn: string;
        tags: { key: string; value: string }[];
      };
      const url = tags.find((tag) => tag.key === 'review-app:url')?.value;
      if (url) urls.set(resourceArn, url);
    }
    expect(urls.size).toBe(250);
    for (const [arn, url] of urls) {
      expect(url).toBe(`http://${world.aws.networkInterface(arn)?.publicIp}:80`);
    }
    // The countdowns that show those URLs still wait their turn in the budget.
    expect(notifier.busiestMinute()).toBeLessThanOrEqual(30);
  });

  it('recovers 100 running and 50 stopped apps with one DescribeTasks per 50 tasks, and announces only the bot’s own ends', async () => {
    await using world = await startWorld({ autoAdvance: false });
    const engine = await seedRunningApps(world, 150);
    const { ecs } = createAwsClients(awsOptionsFromEnv(world.env));
    const arns = world.aws.tasks().map((task) => task.taskArn);
    for (const arn of arns.slice(100)) {
      await ecs.send('StopTask', { cluster: 'review-apps', task: arn, reason: 'by hand' });
    }
    // Someone runs the review revision by hand, with an app's tags: not the bot's task.
    const copied = world.aws.tasks()[0];
    const foreign = await ecs.send('RunTask', {
      cluster: 'review-apps',
      taskDefinition: copied?.taskDefinitionArn,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: [SUBNET], assignPublicIp: 'DISABLED' },
      },
      startedBy: 'someone-else',
      tags: Object.entries({ ...taskTags(world.aws, copied?.taskArn), 'review-app:mr': '999' })
        .filter(([key]) => key.startsWith('review-app:'))
        .map(([key, value]) => ({ key, value })),
    });
    await ecs.send('StopTask', {
      cluster: 'review-apps',
      task: foreign.tasks?.[0]?.taskArn,
      reason: 'done',
    });
    const notifier = new RecordingNotifier(world.clock.now);
    const watcher = watcherOver(world, engine, notifier);

    const before = world.aws.operations().length;
    await watcher.recover();

    const calls = world.aws.operations().slice(before);
    // 151 tasks (the foreign one is listed with the stopped ones): 4 calls of 50, each task once.
    expect(calls.filter((op) => op === 'DescribeTasks')).toHaveLength(4);
    expect(new Set(notifier.endings)).toEqual(
      new Set(Array.from({ length: 50 }, (_, i) => 101 + i)),
    );
    expect(notifier.endings).toHaveLength(50);
  });

  it('backs off every countdown for a while when Slack rate-limits', async () => {
    await using world = await startWorld({ autoAdvance: false });
    const engine = await seedRunningApps(world, 5);
    const notifier = new RecordingNotifier();
    notifier.result = { retryAfterMs: 60_000 };
    const watcher = watcherOver(world, engine, notifier);
    // A new watcher's budget counts the minute before it as spent.
    world.clock.advance(60_000);
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
