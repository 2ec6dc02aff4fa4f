import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import {
  buttons,
  eventually,
  launchedMr,
  shown,
  startBotWorld,
  watchAfter,
} from '../support/bot.js';
import { seedRunningApps } from '../support/seed.js';
import { PROJECT_ID, REGISTRY_ID } from '../support/world.js';

const CI_CHANNEL = 'C_RELEASES';
const MINUTE = 60_000;

describe('threads of apps the bot did not launch from a click', () => {
  it('a CLI launch shows its cost in the status reply, as a launch from Slack does', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42, { title: 'Checkout page' });
    const code = await runCli(['launch', '42', '--wait'], {
      env: { ...w.env, SLACK_CLI_CHANNEL: CI_CHANNEL, GITLAB_USER_LOGIN: 'release-bot' },
      stdout: () => {},
      stderr: () => {},
      clock: w.clock,
    });
    expect(code).toBe(0);

    const parent = w.slack.messages(CI_CHANNEL).find((m) => !m.thread_ts);
    const [status, ...others] = w.slack.thread(CI_CHANNEL, parent?.ts as string);
    expect(others).toHaveLength(0);
    expect(shown(status as never)).toContain('Running');
    expect(shown(status as never)).toMatch(/cost so far (< )?\$\d+\.\d+/);
    expect(buttons(status as never).map((b) => b.text)).toEqual([
      'Open app',
      'Extend',
      'Relaunch',
      'Stop',
    ]);
  });

  it('a relaunch with a new commit that the limits refuse is said in the app’s thread', async () => {
    await using w = await startBotWorld({
      env: { REVIEW_APP_FOLLOW: 'auto', MAX_RUNNING_APPS: '1' },
    });
    const app = await launchedMr(w, 52);
    // Someone else's app takes the last place meanwhile.
    await seedRunningApps(w, 1);
    const sha = 'e'.repeat(40);
    w.gitlab.updateMergeRequest(PROJECT_ID, 52, {
      sha,
      head_pipeline: { id: 3052, status: 'success', sha },
    });
    w.gitlab.addPipeline(PROJECT_ID, { id: 3052, status: 'success' });
    w.gitlab.addRegistryTag(PROJECT_ID, REGISTRY_ID, sha);
    await watchAfter(w, MINUTE);

    await eventually(() => {
      const refusal = app.replies().find((m) => shown(m).includes('the most allowed at once (1)'));
      expect(refusal).toBeDefined();
      expect(refusal?.thread_ts).toBe(app.parent.ts);
    });
    expect(app.replies().some((m) => m.reply_broadcast)).toBe(false);
    expect(w.aws.task(app.arn)?.lastStatus).toBe('RUNNING');
  });
});
