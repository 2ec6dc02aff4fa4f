import { signSlackRequest } from '@review-app-bot/sandbox';
import { describe, expect, it } from 'vitest';
import { startBotWorld } from '../support/bot.js';

const command = new URLSearchParams({
  command: '/review-app',
  text: '42',
  user_id: 'U_ALICE',
  channel_id: 'C_REVIEWS',
  response_url: 'http://127.0.0.1:9/never',
  trigger_id: 't',
}).toString();

describe('HTTP mode', () => {
  it.each([
    ['a forged signature', { secret: 'not-the-secret' }],
    ['a stale timestamp', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
  ])('refuses %s with 401 before any listener runs', async (_name, options) => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const answer = await w.slack.sendSigned(w.eventsUrl, command, options);
    expect(answer.status).toBe(401);
    expect(w.gitlab.requests).toHaveLength(0);
    expect(w.aws.requests).toHaveLength(0);
  });

  it('refuses a request without a signature', async () => {
    await using w = await startBotWorld();
    const answer = await fetch(w.eventsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: command,
    });
    expect(answer.status).toBe(401);
    expect(w.gitlab.requests).toHaveLength(0);
  });

  it('refuses a malformed body with 400 and runs nothing', async () => {
    await using w = await startBotWorld();
    const body = '{"type": "block_actions", "payload": ';
    const headers = signSlackRequest('test-signing-secret', body);
    const answer = await fetch(w.eventsUrl, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(w.gitlab.requests).toHaveLength(0);
  });
});
