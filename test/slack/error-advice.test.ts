import { describe, expect, it } from 'vitest';
import { ALICE, CHANNEL, eventually, lastAnswer, shown, startBotWorld } from '../support/bot.js';

const HEAD = 'c'.repeat(40);

/** One code, two causes: what a Slack user reads follows the cause, as the raise site wrote it. */
describe('the advice a Slack user gets for an error', () => {
  it("a fork's registry out of reach: what a project developer can do, and that the operator knows", async () => {
    await using w = await startBotWorld();
    w.addHiddenForkMergeRequest(9, HEAD);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '9', user_id: ALICE });
    const said = await eventually(() => {
      const status = w.slack.messages(CHANNEL).find((m) => shown(m).includes('comes from a fork'));
      expect(status).toBeDefined();
      return shown(status as NonNullable<typeof status>);
    });
    expect(said).toContain(
      "This merge request comes from a fork (project 98), whose CI pushes its image to the fork's container registry, and the bot's GitLab token cannot read that registry (HTTP 404); acme/shop's own registry has no image for it either.",
    );
    expect(said).toContain(
      "Someone with the Developer role in acme/shop can run the merge request's pipeline in acme/shop (Run pipeline, on its Pipelines tab), which pushes the image to acme/shop's registry; then launch again.",
    );
    expect(said).toContain('The operator has been told.');
    // The operator's fix is in the log, not in the channel; and it is the fork's, not the token's.
    expect(said).not.toContain('GITLAB_TOKEN');
    expect(said).not.toContain('access token');
    const told = w.logs.find((l) => l.includes("cannot read a fork's container registry"));
    expect(told).toContain('at least the Reporter role in the fork (project 98)');
    expect(w.logs.join('\n')).not.toContain('GitLab has no such project');
  });

  it('a refused token: a short message and that the operator knows, the fix only in the log', async () => {
    await using w = await startBotWorld({ env: { GITLAB_TOKEN: 'glpat-revoked-token' } });
    w.addMergeRequest(42);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: ALICE });
    expect(shown(await lastAnswer(w))).toContain(
      'GitLab refused the bot’s access token, so nothing can be looked up right now. The operator has been told.',
    );
    const told = w.logs.find((l) => l.includes('GitLab refused the token'));
    expect(told).toContain(
      'Check GITLAB_TOKEN: it must be a valid token with the read_api and read_registry scopes.',
    );
  });
});
