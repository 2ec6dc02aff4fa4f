import { describe, expect, it } from 'vitest';
import { CHANNEL, eventually, shown, startBotWorld } from '../support/bot.js';

describe('HTTP mode', () => {
  it('answers the health check', async () => {
    await using w = await startBotWorld();
    const answer = await fetch(`http://127.0.0.1:${w.bot.port}/healthz`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ ok: true, problems: [] });
  });
});

describe('Socket Mode', () => {
  it('receives a slash command envelope, acknowledges it, and launches', async () => {
    await using w = await startBotWorld({ socket: true });
    w.addMergeRequest(42, { title: 'Over the socket' });
    expect(w.bot.mode).toBe('socket');
    await w.slack.socket.connected();

    const result = await w.slack.socket.sendSlashCommand({ text: '42', channel_id: CHANNEL });
    expect(result.ack).toMatchObject({ envelope_id: result.envelope_id });

    await eventually(() => {
      const parent = w.slack.messages(CHANNEL).find((m) => !m.thread_ts);
      expect(shown(parent as never)).toContain('!42 Over the socket');
      expect(shown(w.slack.thread(CHANNEL, parent?.ts as string)[0] as never)).toContain('Running');
    });

    const health = await fetch(`http://127.0.0.1:${w.bot.port}/healthz`);
    expect(health.status).toBe(200);
  });
});
