import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/compose.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/core/logger.js';
import {
  ALICE,
  BOB,
  type BotWorld,
  CHANNEL,
  eventually,
  lastAnswer,
  shown,
  startBotWorld,
} from '../support/bot.js';
import { ecsErrorReply } from '../support/world.js';

/** The status reply of the only launch, once it says `text`. */
/** The status reply, once it says `text`. */
function statusSays(w: BotWorld, text: string) {
  return eventually(() => {
    const status = w.slack.messages(CHANNEL).find((m) => m.thread_ts);
    expect(shown(status as never)).toContain(text);
    return shown(status as never);
  });
}

/** The failure notice broadcast from the launch's thread, once it says `text`. */
function noticeSays(w: BotWorld, text: string) {
  return eventually(() => {
    const notice = w.slack.messages(CHANNEL).find((m) => m.reply_broadcast);
    expect(shown(notice as never)).toContain(text);
    return shown(notice as never);
  });
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
describe('GitLab faults', () => {
  it('GitLab down: a short message, nothing launched', async () => {
    await using w = await startBotWorld();
    await w.gitlab.close();
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42' });
    expect(shown(await lastAnswer(w))).toContain('GitLab could not be reached');
    expect(w.aws.callsTo('RunTask')).toHaveLength(0);
  });

  it('GitLab slower than GITLAB_TIMEOUT: the user is told, nothing launched', async () => {
    await using w = await startBotWorld({ env: { GITLAB_TIMEOUT: '1s' } });
    w.addMergeRequest(42);
    const release = w.gitlab.hold();
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42' });
    expect(shown(await lastAnswer(w))).toContain('GitLab did not answer in time');
    release();
    // GitLab's late answer starts nothing: the launch ended when the user was told.
    await eventually(() => expect(w.gitlab.requests.length).toBeGreaterThan(0));
    await w.bot.watcher.round();
    expect(w.aws.callsTo('RunTask')).toHaveLength(0);
  });

  it('a bad token: the operator is told in the log what to fix, users get a short message', async () => {
    await using w = await startBotWorld({ env: { GITLAB_TOKEN: 'glpat-revoked-token' } });
    w.addMergeRequest(42);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42' });
    const answer = shown(await lastAnswer(w));
    expect(answer).toContain('GitLab refused the bot’s access token');
    expect(answer).not.toContain('read_api');
    const log = w.logs.find((l) => l.includes('GitLab refused the token'));
    expect(log).toContain('read_api and read_registry');
    expect(w.logs.join('\n')).not.toContain('glpat-revoked-token');
  });

  it('an unknown MR (404)', async () => {
    await using w = await startBotWorld();
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '404' });
    expect(shown(await lastAnswer(w))).toContain('GitLab has no merge request !404 in acme/shop');
  });

  it('429 from GitLab is retried; a GitLab that keeps refusing is reported', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    w.addMergeRequest(43);
    w.gitlab.fault({
      match: 'GET /projects/:id/merge_requests/:iid',
      reply: json(429, { message: '429 Too Many Requests' }),
      times: 2,
    });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42' });
    await statusSays(w, 'Running');

    w.gitlab.fault({
      match: 'GET /projects/:id/merge_requests/:iid',
      reply: json(429, { message: '429 Too Many Requests' }),
    });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '43' });
    expect(shown(await lastAnswer(w))).toContain(
      "GitLab is rate limiting the bot's requests (for merge request !43). Try again in a minute.",
    );
  });
});

describe('AWS faults', () => {
  it('ThrottlingException is retried with backoff by the SDK', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    w.aws.fault({
      match: 'RunTask',
      reply: ecsErrorReply('ThrottlingException', 'Rate exceeded'),
      times: 2,
    });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42' });
    await statusSays(w, 'Running');
    expect(w.aws.operations().filter((op) => op === 'RunTask')).toHaveLength(3);
    expect(w.aws.tasks()).toHaveLength(1);
  });

  it('capacity failures from RunTask are explained in the thread', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    w.aws.failNextRunTask([
      { reason: 'Capacity is unavailable at this time. Please try again later.' },
    ]);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42' });
    expect(await noticeSays(w, 'Could not launch')).toContain(
      'Fargate has no capacity for it right now',
    );
  });

  it('AccessDenied names the missing permission', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    w.aws.fault({
      match: 'RunTask',
      reply: ecsErrorReply(
        'AccessDeniedException',
        'User: arn:aws:sts::123456789012:assumed-role/bot/x is not authorized to perform: ecs:RunTask',
      ),
    });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42' });
    const said = await noticeSays(w, 'Could not launch');
    expect(said).toContain('needs the permission ecs:RunTask');
    expect(said).toContain('(see docs/iam-policy.json)');
  });

  it('a task that never reaches RUNNING is stopped after the launch timeout and explained', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    w.aws.setLaunchBehaviour('stay-pending');
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42' });
    expect(await noticeSays(w, 'Could not launch')).toContain(
      'still PENDING after 10 minutes, so it was stopped',
    );
    expect(w.aws.tasks().every((t) => t.desiredStatus === 'STOPPED')).toBe(true);
  });

  it('a task definition that cannot be copied is explained, and nothing runs', async () => {
    await using w = await startBotWorld({ env: { ECS_CONTAINER: 'api' } });
    w.addMergeRequest(42);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42' });
    expect(await noticeSays(w, 'Could not launch')).toContain(
      'ECS_CONTAINER is api, but shop-web has no container of that name (it has: web)',
    );
    expect(w.aws.callsTo('RunTask')).toHaveLength(0);
  });
});

describe('Slack faults', () => {
  it('429 with Retry-After: the message is posted after the wait', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    w.slack.rateLimit('chat.postMessage', 1, 1);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42' });
    await statusSays(w, 'Running');
    expect(w.slack.requests.filter((r) => r.operation === 'chat.postMessage').length).toBe(3);
  });

  it('a deleted status message does not stop the launch or the watcher', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const release = w.gitlab.hold();
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42' });
    release();
    const status = await eventually(() => {
      const message = w.slack.messages(CHANNEL).find((m) => m.thread_ts);
      expect(message).toBeDefined();
      return message as NonNullable<typeof message>;
    });
    w.slack.deleteMessage(CHANNEL, status.ts);
    // The launch goes on to the end, where it tries to show the app running.
    await eventually(() =>
      expect(
        w.slack.requests.some(
          (r) => r.operation === 'chat.update' && r.body.includes('is%20running%20at'),
        ),
      ).toBe(true),
    );
    await eventually(() => expect(w.aws.tasks()[0]?.lastStatus).toBe('RUNNING'));
    w.clock.advance(30 * 60_000);
    await w.bot.watcher.round();
    expect(w.aws.callsTo('StopTask')).toHaveLength(1);
    expect(
      w.slack.messages(CHANNEL).some((m) => m.reply_broadcast && shown(m).includes('has expired')),
    ).toBe(true);
  });

  it('an expired trigger_id: the user is told to try again or give the MR', async () => {
    await using w = await startBotWorld();
    w.slack.failMethod('views.open', 'expired_trigger_id');
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '' });
    expect(shown(await lastAnswer(w))).toContain('The picker could not be opened in time');
  });
});

describe('crashes and races', () => {
  it('a crash between RunTask and the running message: after restart the app is found by its tags and reported', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    // What a launch had done before the bot died: the thread exists and the task was started.
    const parent = await w.bot.stop().then(() =>
      fetch(`${w.slack.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: 'Bearer xoxb-test', 'content-type': 'application/json' },
        body: JSON.stringify({ channel: CHANNEL, text: 'launching' }),
      }).then((r) => r.json() as Promise<{ ts: string }>),
    );
    const status = await fetch(`${w.slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-test', 'content-type': 'application/json' },
      body: JSON.stringify({ channel: CHANNEL, thread_ts: parent.ts, text: 'Looking up…' }),
    }).then((r) => r.json() as Promise<{ ts: string }>);
    const crashed = createEngine({
      config: loadConfig(w.env),
      env: w.env,
      logger: silentLogger,
      clock: w.clock,
    });
    await crashed.launch({
      mr: 42,
      requester: ALICE,
      source: 'slack',
      slack: { channel: CHANNEL, thread: parent.ts, statusTs: status.ts },
    });

    await w.restart();
    await w.bot.watcher.recover();
    // The task goes on starting through ECS's statuses, one look at a time.
    for (let round = 0; round < 4; round++) {
      w.clock.advance(15_000);
      await w.bot.watcher.round();
    }
    const shownNow = shown(w.slack.messages(CHANNEL).find((m) => m.ts === status.ts) as never);
    expect(shownNow).toContain('Running');
    expect(shownNow).toMatch(/http:\/\/203\.0\.113\.\d+:3000/);
    expect(w.aws.tasks()).toHaveLength(1);
  });

  it('the same command from two people at once starts one task', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    await Promise.all([
      w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: ALICE }),
      w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: BOB }),
    ]);
    await eventually(() =>
      expect(w.slack.messages(CHANNEL).some((m) => shown(m).includes('Running'))).toBe(true),
    );
    await eventually(() =>
      expect(
        [
          ...w.slack.messages(CHANNEL).map(shown),
          ...w.slack.responses().map((r) => shown(r.body as never)),
        ].some((t) => t.includes('already has a review app running')),
      ).toBe(true),
    );
    expect(w.aws.callsTo('RunTask')).toHaveLength(1);
  });
});
