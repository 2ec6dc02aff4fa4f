import { describe, expect, it } from 'vitest';
import { tagsToMeta } from '../../src/core/tags.js';
import { ALICE, CHANNEL, eventually, lastAnswer, shown, startBotWorld } from '../support/bot.js';
import { taskTags } from '../support/world.js';

const HOSTILE_TITLE = `<!channel> <!here|here> <@U0123456> & **bold** ~strike~ <https://evil.example|click> ${'🎉'.repeat(30)} \u202Etxt.exe ${'A'.repeat(10_000)}`;
const HOSTILE_BRANCH = 'feat/<!channel>&ü=x{y}[z]%20"quote"';

describe('merge request arguments', () => {
  it.each([
    ['abc', 'is not a merge request'],
    ['-3', 'is not a merge request'],
    ['0', 'not a valid merge request number'],
    ['99999999999999999999999', 'not a valid merge request number'],
    ['42abc', 'is not a merge request'],
    ['٤٢', 'is not a merge request'],
    ['４２', 'is not a merge request'],
    ['4\u200B2', 'is not a merge request'],
    ['x'.repeat(4000), 'too long'],
    ['https://gitlab.evil.example/acme/shop/-/merge_requests/1', 'not a merge request URL'],
  ])('answers %j privately with what to give, and asks GitLab nothing', async (text, message) => {
    await using w = await startBotWorld();
    await w.slack.sendSlashCommand(w.eventsUrl, { text });
    const answer = await lastAnswer(w);
    expect(answer.response_type).toBe('ephemeral');
    expect(shown(answer)).toContain(message);
    expect(shown(answer)).toContain('/review-app list');
    expect(w.gitlab.requests).toHaveLength(0);
    expect(w.aws.requests).toHaveLength(0);
  });
});

describe('hostile text from GitLab', () => {
  it('is escaped and cut to fit: Slack accepts every message and nobody is pinged', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42, { title: HOSTILE_TITLE, branch: HOSTILE_BRANCH });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: ALICE });
    await eventually(() =>
      expect(w.slack.messages(CHANNEL).some((m) => shown(m).includes('Running'))).toBe(true),
    );
    await w.slack.sendSlashCommand(w.eventsUrl, { text: 'list' });
    await lastAnswer(w);

    // The stand-in refuses what Slack refuses (invalid_blocks), and the bot logs any refusal: none.
    expect(w.slack.requests.filter((r) => r.operation.startsWith('chat.')).length).toBeGreaterThan(
      2,
    );
    expect(
      w.logs.filter((line) => line.includes('"level":"warn"') || line.includes('"level":"error"')),
    ).toEqual([]);
    const everything = [
      ...w.slack.messages(CHANNEL).map(shown),
      ...w.slack.responses().map((r) => shown(r.body as never)),
    ].join('\n');
    expect(everything).not.toMatch(/<!(channel|here|everyone)/);
    expect(everything).not.toContain('<@U0123456>');
    expect(everything).not.toContain('<https://evil.example');
    expect(everything).toContain('&lt;!channel&gt;');
    for (const message of w.slack.messages(CHANNEL)) {
      for (const block of message.blocks as { type: string; text?: { text: string } }[]) {
        if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      }
    }
  });

  it('goes into ECS tags encoded, within the limits, and reads back losslessly where it fits', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42, { title: HOSTILE_TITLE, branch: HOSTILE_BRANCH });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42' });
    await eventually(() => expect(w.aws.callsTo('RunTask')).toHaveLength(1));
    const tags = taskTags(w.aws, w.aws.tasks()[0]?.taskArn as string);
    for (const [key, value] of Object.entries(tags)) {
      expect(key.length).toBeLessThanOrEqual(128);
      expect(value).toMatch(/^[A-Za-z0-9 _.:/=+\-@]*$/);
      expect(value.length).toBeLessThanOrEqual(256);
    }
    // Read back through the bot: the branch is whole, the title cut but never broken.
    const apps = await (async () => {
      await w.slack.sendSlashCommand(w.eventsUrl, { text: 'list' });
      return shown(await lastAnswer(w));
    })();
    expect(apps).toContain('!42 &lt;!channel&gt;');
    const meta = tagsToMeta(tags);
    expect(meta?.branch).toBe(HOSTILE_BRANCH);
    expect(HOSTILE_TITLE.startsWith(meta?.title ?? 'x')).toBe(true);
  });
});
