import { describe, expect, it } from 'vitest';
import { ACTIONS, BLOCKS } from '../../src/slack/ids.js';
import { type BotWorld, eventually, startBotWorld } from '../support/bot.js';
import { cli } from '../support/cli.js';
import { startWorld } from '../support/world.js';

const isMrRequest = (r: { path: string }) => /\/merge_requests\/\d+$/.test(r.path);

describe('GitLab rate limits', () => {
  it("waits as long as GitLab's Retry-After asks, then carries on", async () => {
    await using world = await startWorld();
    world.addMergeRequest(1);
    const refusedAt: number[] = [];
    world.gitlab.rateLimit({
      retryAfterSeconds: 5,
      times: 3,
      match: (r) => isMrRequest(r) && refusedAt.push(world.clock.now()) > 0,
    });
    const result = await cli(world, ['launch', '1']);
    expect(result.code).toBe(0);
    expect(refusedAt).toHaveLength(3);
    // Each try came after the five seconds GitLab asked for (virtual time).
    const [first = 0, second = 0, third = 0] = refusedAt;
    expect(second - first).toBeGreaterThanOrEqual(5_000);
    expect(third - second).toBeGreaterThanOrEqual(5_000);
  });

  it('gives up at once, saying when to try again, when GitLab asks for longer than it may wait', async () => {
    await using world = await startWorld();
    world.addMergeRequest(2);
    world.gitlab.rateLimit({ retryAfterSeconds: 120, match: isMrRequest });
    const result = await cli(world, ['launch', '2']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("GitLab is rate limiting the bot's requests");
    expect(result.stderr).toContain('Try again in 120 seconds');
    expect(world.gitlab.requests.filter(isMrRequest)).toHaveLength(1);
  });
});

describe('the MR picker', () => {
  async function typed(w: BotWorld, viewId: string, value: string) {
    const answer = await w.slack.sendOptionsRequest(w.eventsUrl, {
      action_id: ACTIONS.pickMr,
      block_id: BLOCKS.pickMr,
      value,
      view_id: viewId,
    });
    return (answer.options as { options: { value: string }[] }).options.map((o) => o.value);
  }

  it('serves the keystrokes of the next seconds from one listing, filtered locally', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(12, { title: 'Search results page' });
    w.addMergeRequest(21, { title: 'Login with SSO' });
    w.addMergeRequest(120, { title: 'Checkout login fix' });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '' });
    const view = await eventually(() => {
      const [opened] = w.slack.views();
      expect(opened).toBeDefined();
      return opened as NonNullable<typeof opened>;
    });
    const listings = () => w.gitlab.requests.filter((r) => /\/merge_requests$/.test(r.path)).length;

    expect(await typed(w, view.id, 'l')).toEqual(expect.arrayContaining(['21', '120']));
    expect(await typed(w, view.id, 'lo')).toEqual(expect.arrayContaining(['21', '120']));
    expect(await typed(w, view.id, 'login sso')).toEqual(['21']);
    expect(await typed(w, view.id, '!12')).toEqual(['12', '120']);
    expect(await typed(w, view.id, 'results')).toEqual(['12']);
    expect(listings()).toBe(1);

    // Later keystrokes see MRs opened since.
    w.clock.advance(20_000);
    w.addMergeRequest(33, { title: 'Login audit' });
    expect(await typed(w, view.id, 'login')).toEqual(expect.arrayContaining(['21', '120', '33']));
    expect(listings()).toBe(2);
  });
});
