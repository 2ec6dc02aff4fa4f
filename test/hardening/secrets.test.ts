import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { secretsOf } from '../../src/config/config.js';
import { ACTIONS, buttonValue } from '../../src/slack/ids.js';
import { ALICE, CHANNEL, eventually, shown, startBotWorld } from '../support/bot.js';

describe('secrets', () => {
  it('never reach logs, errors, Slack messages or task tags', async () => {
    await using w = await startBotWorld();
    const secrets = secretsOf(w.env);
    expect(secrets).toEqual(
      expect.arrayContaining([
        w.gitlab.token,
        'xoxb-test',
        'test-signing-secret',
        'test-secret-access-key',
      ]),
    );
    w.addMergeRequest(1);
    w.addMergeRequest(2, { image: false, pipeline: 'failed' });

    // A launch, a list, an extend, a stop, a failure, a refusal, bad input, a GitLab error echoing the token.
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '1', user_id: ALICE });
    await eventually(() =>
      expect(w.slack.messages(CHANNEL).some((m) => shown(m).includes('Running'))).toBe(true),
    );
    await w.slack.sendSlashCommand(w.eventsUrl, { text: 'list' });
    const status = w.slack.messages(CHANNEL).find((m) => m.thread_ts) as { ts: string };
    await w.slack.sendBlockAction(w.eventsUrl, {
      user_id: ALICE,
      channel_id: CHANNEL,
      message_ts: status.ts,
      actions: [{ action_id: ACTIONS.extend, value: buttonValue(1) }],
    });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '2' });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: 'nonsense here' });
    await w.slack.sendSigned(w.eventsUrl, 'command=%2Freview-app&text=1', { secret: 'wrong' });
    w.gitlab.fault({
      match: 'GET /projects/:id/merge_requests/:iid',
      reply: { status: 500, body: `internal error for token ${w.gitlab.token}` },
      times: 1,
    });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '3' });
    // Slack answering with an error that echoes the token: it is logged, scrubbed.
    w.slack.failMethod('chat.postMessage', `invalid_auth:xoxb-test`, 1);
    w.addMergeRequest(4);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '4' });
    await eventually(() =>
      expect(w.logs.some((l) => l.includes('could not post in the channel'))).toBe(true),
    );
    expect(w.logs.find((l) => l.includes('could not post in the channel'))).toContain(
      'invalid_auth:[redacted]',
    );
    await w.slack.sendSlashCommand(w.eventsUrl, { text: 'stop 1', user_id: ALICE });
    await eventually(() => expect(w.aws.callsTo('StopTask')).toHaveLength(1));
    w.clock.advance(60 * 60_000);
    await w.bot.watcher.round();

    let cliOutput = '';
    const write = (text: string) => {
      cliOutput += text;
    };
    await runCli(['launch', '1', '--wait'], {
      env: w.env,
      stdout: write,
      stderr: write,
      clock: w.clock,
    });
    // A wrong token reaches GitLab, which refuses it: the refusal is logged, the token is not.
    await runCli(['launch', '2'], {
      env: { ...w.env, GITLAB_TOKEN: 'glpat-wrong-token-value' },
      stdout: write,
      stderr: write,
    });
    expect(cliOutput).toContain('GitLab refused the token');
    expect(
      w.gitlab.requests.some((r) => r.headers['private-token'] === 'glpat-wrong-token-value'),
    ).toBe(true);

    const posted = [
      // Everything the bot sent Slack to show, not how it authenticates (auth.test carries the token by design).
      ...w.slack.requests.filter((r) => r.operation !== 'auth.test').map((r) => r.body),
      ...w.slack.messages().map((m) => JSON.stringify(m)),
      ...w.slack.ephemerals().map((m) => JSON.stringify(m)),
      ...w.slack.responses().map((r) => JSON.stringify(r.body)),
    ].join('\n');
    const sentToAws = w.aws.requests.map((r) => r.body).join('\n');
    const tags = JSON.stringify(w.aws.tasks().map((t) => t.tags));
    const logs = w.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(posted).toContain('Running');
    for (const secret of [...secrets, 'glpat-wrong-token-value']) {
      for (const [where, text] of Object.entries({ logs, posted, sentToAws, tags, cliOutput })) {
        expect(text.includes(secret), `${secret} found in ${where}`).toBe(false);
      }
    }
  });
});
