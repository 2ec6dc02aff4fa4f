import {
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { type BotWorld, CHANNEL, launchedMr, shown, startBotWorld } from '../support/bot.js';

const MINUTE = 60_000;

function ecsClient(w: BotWorld) {
  return new ECSClient({
    endpoint: w.aws.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

describe('ECS forgets stopped tasks after about an hour', () => {
  it('answers MISSING for a task stopped over an hour ago, and no longer lists it', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 1);
    w.aws.exitContainer(app.arn, 'web', 1, 'crashed');
    const ecs = ecsClient(w);
    const stopped = { cluster: 'review-apps', family: 'shop-web-review-app' };
    const listStopped = () =>
      ecs.send(new ListTasksCommand({ ...stopped, desiredStatus: 'STOPPED' }));
    expect((await listStopped()).taskArns).toEqual([app.arn]);
    w.clock.advance(60 * MINUTE);
    expect((await listStopped()).taskArns).toEqual([]);
    const described = await ecs.send(
      new DescribeTasksCommand({ cluster: 'review-apps', tasks: [app.arn] }),
    );
    expect(described.tasks).toEqual([]);
    expect(described.failures).toEqual([{ arn: app.arn, reason: 'MISSING' }]);
    const tagging = ecs.send(
      new TagResourceCommand({ resourceArn: app.arn, tags: [{ key: 'k', value: 'v' }] }),
    );
    await expect(tagging).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('says in the thread that it lost sight of an app ECS no longer knows', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 2);
    await w.bot.watcher.round();
    // The app crashes and nobody looks for over an hour (AWS unreachable from the bot).
    w.aws.exitContainer(app.arn, 'web', 1, 'crashed');
    w.clock.advance(61 * MINUTE);
    await w.bot.watcher.round();
    // The status says why, once; a quiet reply tells the thread's followers it has ended.
    const status = w.slack.messages(CHANNEL).find((m) => m.ts === app.status.ts);
    expect(shown(status as never)).not.toContain('Running');
    expect(shown(status as never)).toContain('lost sight');
    expect(shown(status as never)).toContain('ECS no longer knows its task');
    const others = () => app.replies().filter((m) => m.ts !== app.status.ts);
    expect(others().filter((m) => shown(m).includes('lost sight'))).toHaveLength(0);
    const endNotes = () => others().filter((m) => shown(m).includes('has ended'));
    expect(endNotes()).toHaveLength(1);
    expect(endNotes()[0]?.reply_broadcast).toBe(false);
    await w.bot.watcher.round();
    expect(endNotes()).toHaveLength(1);
  });

  it('dates every running status, so a countdown nobody refreshes is seen to be old', async () => {
    await using w = await startBotWorld();
    const app = await launchedMr(w, 3);
    const status = w.slack.messages(CHANNEL).find((m) => m.ts === app.status.ts);
    const seconds = Math.floor(w.clock.now() / 1000);
    expect(shown(status as never)).toMatch(
      new RegExp(`as of <!date\\^${seconds}\\^\\{date_short_pretty\\} \\{time\\}\\|`),
    );
  });
});
