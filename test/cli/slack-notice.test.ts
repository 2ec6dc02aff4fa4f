import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { buttons, shown, startBotWorld } from '../support/bot.js';
import { startProjectsWorld } from '../support/projects.js';
import { taskTags } from '../support/world.js';

const CI_CHANNEL = 'C_RELEASES';

describe('review-app launch with SLACK_CLI_CHANNEL', () => {
  it('tells the channel, and the bot reports the app’s end in that thread', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42, { title: 'Checkout page', branch: 'feature/checkout' });
    const stderr: string[] = [];
    const code = await runCli(['launch', '42', '--wait'], {
      env: { ...w.env, SLACK_CLI_CHANNEL: CI_CHANNEL, GITLAB_USER_LOGIN: 'release-bot' },
      stdout: () => {},
      stderr: (text) => stderr.push(text),
      clock: w.clock,
    });
    expect(code).toBe(0);
    expect(stderr.join('')).toContain(`Told Slack channel ${CI_CHANNEL}.`);

    const [parent, ...others] = w.slack.messages(CI_CHANNEL).filter((m) => !m.thread_ts);
    expect(others).toHaveLength(0);
    expect(shown(parent as never)).toContain('release-bot (CI): *running* until <!date^');
    expect(shown(parent as never)).toContain('|!42 Checkout page>');
    const [status] = w.slack.thread(CI_CHANNEL, parent?.ts as string);
    expect(shown(status as never)).toContain('Running');

    const arn = w.aws.tasks()[0]?.taskArn as string;
    expect(taskTags(w.aws, arn)['review-app:slack-thread']).toBe(parent?.ts);

    w.clock.advance(30 * 60_000);
    await w.bot.watcher.round();
    const notices = w.slack
      .thread(CI_CHANNEL, parent?.ts as string)
      .filter((m) => m.reply_broadcast);
    expect(notices).toHaveLength(1);
    expect(shown(notices[0] as never)).toContain(
      'The review app for !42 Checkout page has expired.',
    );
    expect(buttons(notices[0] as never).map((b) => b.text)).toEqual(['Relaunch']);
  });

  it('launches all the same when Slack refuses, saying why in one line', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(43);
    w.slack.fault({
      match: 'chat.postMessage',
      reply: {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"ok":false,"error":"not_in_channel"}',
      },
    });
    const stderr: string[] = [];
    const code = await runCli(['launch', '43'], {
      env: { ...w.env, SLACK_CLI_CHANNEL: CI_CHANNEL },
      stdout: () => {},
      stderr: (text) => stderr.push(text),
      clock: w.clock,
    });
    expect(code).toBe(0);
    expect(stderr.join('')).toContain(
      'Slack notice skipped: not_in_channel: invite the bot to SLACK_CLI_CHANNEL',
    );
    expect(w.aws.callsTo('RunTask')).toHaveLength(1);
  });

  it('wants the bot token when the channel is set', async () => {
    await using w = await startBotWorld();
    const stderr: string[] = [];
    const code = await runCli(['list'], {
      env: { ...w.env, SLACK_BOT_TOKEN: undefined, SLACK_CLI_CHANNEL: CI_CHANNEL },
      stdout: () => {},
      stderr: (text) => stderr.push(text),
    });
    expect(code).toBe(2);
    expect(stderr.join('')).toContain('SLACK_BOT_TOKEN is required when SLACK_CLI_CHANNEL is set');
  });
});

describe('review-app launch with SLACK_CLI_CHANNEL and several projects', () => {
  it('names the project in the channel, and so does the bot at the end', async () => {
    await using w = await startProjectsWorld();
    w.addApiMergeRequest(5, 'API pagination');
    const code = await runCli(['launch', 'api!5', '--wait'], {
      env: { ...w.env, SLACK_CLI_CHANNEL: CI_CHANNEL },
      stdout: () => {},
      stderr: () => {},
      clock: w.clock,
    });
    expect(code).toBe(0);
    const [parent] = w.slack.messages(CI_CHANNEL).filter((m) => !m.thread_ts);
    expect(shown(parent as never)).toContain('|api!5 API pagination>');

    w.clock.advance(30 * 60_000);
    await w.bot.watcher.round();
    const [notice] = w.slack
      .thread(CI_CHANNEL, parent?.ts as string)
      .filter((m) => m.reply_broadcast);
    expect(shown(notice as never)).toContain(
      'The review app for api!5 API pagination has expired.',
    );
  });
});
