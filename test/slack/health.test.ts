import { describe, expect, it } from 'vitest';
import { eventually, startBotWorld } from '../support/bot.js';
import { ecsErrorReply } from '../support/world.js';

async function health(port: number) {
  const answer = await fetch(`http://127.0.0.1:${port}/healthz`);
  return {
    status: answer.status,
    body: (await answer.json()) as { ok: boolean; problems: string[] },
  };
}

/** /healthz tells the truth, so that a container health check replaces a bot that cannot work. */
describe('/healthz', () => {
  it('says 503 with the reason after several watch rounds in a row fail, and 200 once one succeeds', async () => {
    await using w = await startBotWorld();
    w.aws.fault({
      match: 'ListTasks',
      reply: ecsErrorReply('AccessDeniedException', 'not authorized to perform: ecs:ListTasks'),
      times: 3,
    });
    await expect(w.bot.watcher.round()).rejects.toThrow();
    // One failed round is a blip, not an outage.
    expect((await health(w.bot.port)).status).toBe(200);
    await expect(w.bot.watcher.round()).rejects.toThrow();
    await expect(w.bot.watcher.round()).rejects.toThrow();

    const down = await health(w.bot.port);
    expect(down.status).toBe(503);
    expect(down.body.problems).toEqual([
      expect.stringMatching(/^The last 3 watch rounds failed.*ecs:ListTasks/),
    ]);

    await w.bot.watcher.round();
    expect(await health(w.bot.port)).toEqual({ status: 200, body: { ok: true, problems: [] } });
  });

  it('says 503 while the Socket Mode connection to Slack is down', async () => {
    await using w = await startBotWorld({ socket: true });
    await w.slack.socket.connected();
    await eventually(async () => expect((await health(w.bot.port)).status).toBe(200));

    w.slack.socket.dropConnections();
    const down = await eventually(async () => {
      const answer = await health(w.bot.port);
      expect(answer.status).toBe(503);
      return answer;
    });
    expect(down.body.problems).toEqual([
      expect.stringContaining('The Socket Mode connection to Slack is down'),
    ]);
  });
});
