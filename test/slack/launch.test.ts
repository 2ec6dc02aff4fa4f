import { describe, expect, it } from 'vitest';
import {
  ALICE,
  BOB,
  buttons,
  CHANNEL,
  eventually,
  type PrivateAnswer,
  shown,
  startBotWorld,
} from '../support/bot.js';
import { taskTags } from '../support/world.js';

describe('/review-app 42', () => {
  it('looks up the image and registers the revision while Slack takes its messages, and starts the task in their thread', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const release = w.slack.hold();
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: ALICE });
    // Slack has answered none of the posts yet: the launch goes on up to RunTask.
    await eventually(() => expect(w.aws.callsTo('RegisterTaskDefinition')).toHaveLength(1));
    expect(w.slack.messages(CHANNEL)).toEqual([]);
    expect(w.aws.callsTo('RunTask')).toHaveLength(0);

    release();
    const task = await eventually(() => {
      const [started] = w.aws.tasks();
      expect(started).toBeDefined();
      return started as NonNullable<typeof started>;
    });
    const [parent] = w.slack.messages(CHANNEL).filter((m) => !m.thread_ts);
    const [status] = w.slack.thread(CHANNEL, parent?.ts ?? '');
    expect(taskTags(w.aws, task.taskArn)).toMatchObject({
      'review-app:slack-thread': parent?.ts,
      'review-app:slack-status': status?.ts,
    });
    await eventually(() =>
      expect(shown(w.slack.thread(CHANNEL, parent?.ts ?? '')[0] as never)).toContain('Running'),
    );
  });

  it('acknowledges, posts a parent message, and keeps a status reply in its thread up to running', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42, { title: 'Checkout page', branch: 'feature/checkout' });

    const ack = await w.slack.sendSlashCommand(w.eventsUrl, {
      text: '42',
      user_id: ALICE,
      channel_id: CHANNEL,
    });
    expect(ack.status).toBe(200);

    const parent = await eventually(() => {
      const [message] = w.slack.messages(CHANNEL).filter((m) => !m.thread_ts);
      expect(message).toBeDefined();
      return message as NonNullable<typeof message>;
    });
    expect(shown(parent)).toContain(`<@${ALICE}> is launching a review app for`);
    expect(shown(parent)).toContain('!42 Checkout page');
    expect(shown(parent)).toContain('`feature/checkout`');

    const status = await eventually(() => {
      const [reply] = w.slack.thread(CHANNEL, parent.ts);
      expect(shown(reply as never)).toContain('Running');
      return reply as NonNullable<typeof reply>;
    });
    const task = w.aws.tasks()[0];
    const ip = w.aws.networkInterface(task?.taskArn as string)?.publicIp;
    expect(shown(status)).toContain(`http://${ip}:3000`);
    expect(shown(status)).toContain('30 minutes left');
    expect(shown(status)).toMatch(/<!date\^\d+\^\{time\}\|/);
    expect(buttons(status).map((b) => b.text)).toEqual(['Open app', 'Extend', 'Relaunch', 'Stop']);
    expect(buttons(status)[0]?.url).toBe(`http://${ip}:3000`);
    // The status reply went through lookup and starting before running.
    expect(status.updates).toBeGreaterThanOrEqual(2);

    // The task carries the Slack thread, so a restarted bot finds it again.
    const tags = taskTags(w.aws, task?.taskArn);
    expect(tags['review-app:slack-channel']).toBe(CHANNEL);
    expect(tags['review-app:slack-thread']).toBe(parent.ts);
    expect(tags['review-app:slack-status']).toBe(status.ts);
    expect(tags['review-app:requester']).toBe(ALICE);
  });

  it('answers the slash command at once even while GitLab is slow', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    const release = w.gitlab.hold();
    const ack = await w.slack.sendSlashCommand(w.eventsUrl, { text: '42' });
    expect(ack.status).toBe(200);
    expect(ack.acknowledgedInTime).toBe(true);
    // The answer came back while GitLab held every request: the lookup is still waiting.
    await eventually(() => expect(w.gitlab.requests.length).toBeGreaterThan(0));
    expect(w.slack.messages(CHANNEL)).toHaveLength(0);
    expect(w.aws.callsTo('RunTask')).toHaveLength(0);
    release();
    await eventually(() => expect(w.aws.callsTo('RunTask')).toHaveLength(1));
  });

  it('reports a failure in the thread in plain words', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(7, { image: false, pipeline: 'running' });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '!7' });
    // Told once, broadcast from the thread so that the channel sees it too.
    const notice = await eventually(() => {
      const [broadcast, ...more] = w.slack.messages(CHANNEL).filter((m) => m.reply_broadcast);
      expect(broadcast).toBeDefined();
      expect(more).toHaveLength(0);
      return broadcast as NonNullable<typeof broadcast>;
    });
    expect(shown(notice)).toContain('Could not launch !7');
    expect(shown(notice)).toContain('pipeline #1007 is running. Try again when it has finished.');
    expect(buttons(notice).map((b) => b.text)).toEqual(['Try again']);
    // The status reply only ends, and the channel message says the launch failed.
    const [status] = w.slack.messages(CHANNEL).filter((m) => m.thread_ts && !m.reply_broadcast);
    expect(shown(status as never)).not.toContain('pipeline #1007');
    expect(buttons(status as never)).toEqual([]);
    await eventually(() =>
      expect(shown(w.slack.messages(CHANNEL)[0] as never)).toContain('*could not be launched*'),
    );
    expect(w.aws.callsTo('RunTask')).toHaveLength(0);
  });

  it('says privately that an MR is already running, links its thread, and offers Relaunch', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: ALICE });
    await eventually(() => expect(w.aws.callsTo('TagResource').length).toBeGreaterThan(0));

    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: BOB });
    const answer = await eventually(() => {
      const [response] = w.slack.responses();
      expect(response).toBeDefined();
      return response?.body as { text: string; blocks: unknown[]; response_type: string };
    });
    expect(answer.response_type).toBe('ephemeral');
    expect(shown(answer)).toContain('already has a review app running');
    expect(shown(answer)).toMatch(/See <https:\/\/[^|]+\/archives\/C_REVIEWS\/p\d+\|its thread>/);
    expect(buttons(answer).map((b) => b.text)).toEqual(['Relaunch']);
    expect(w.aws.callsTo('RunTask')).toHaveLength(1);
  });

  it('escapes hostile titles and branch names so that nobody is pinged', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(66, { title: '<!channel> & <@U123> *bold* `code`', branch: 'x<!here>' });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '66' });
    const parent = await eventually(() => {
      const [message] = w.slack.messages(CHANNEL);
      expect(message).toBeDefined();
      return message as NonNullable<typeof message>;
    });
    const text = shown(parent);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<!here>');
    expect(text).not.toContain('<@U123>');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;@U123&gt;');
  });
});

describe('reads per launch', () => {
  it('reads the merge request once and lists the running apps once per launch', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: ALICE });
    await eventually(() => {
      const [parent] = w.slack.messages(CHANNEL);
      expect(shown(w.slack.thread(CHANNEL, parent?.ts as string)[0] as never)).toContain('Running');
    });
    const gitlab = w.gitlab.requests.map((r) => r.operation);
    expect(gitlab.filter((op) => op.includes('/merge_requests/:iid'))).toHaveLength(1);
    // The registry repository list and the tag: nothing is asked twice.
    expect(new Set(gitlab).size).toBe(gitlab.length);
    expect(w.aws.callsTo('ListTasks')).toHaveLength(1);
  });
});

describe('/review-app help, list, stop and bad input', () => {
  it.each(['help', 'deploy 42', '42 now', 'list everything'])(
    'answers %j privately with the usage',
    async (text) => {
      await using w = await startBotWorld();
      await w.slack.sendSlashCommand(w.eventsUrl, { text });
      const [response] = await eventually(() => {
        expect(w.slack.responses()).toHaveLength(1);
        return w.slack.responses();
      });
      const body = response?.body as { text: string; blocks: unknown[]; response_type: string };
      expect(body.response_type).toBe('ephemeral');
      expect(shown(body)).toContain('/review-app list');
      expect(w.slack.messages(CHANNEL)).toHaveLength(0);
    },
  );

  it('lists running apps for the asker only, and stops one, saying who stopped it', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(1, { title: 'One' });
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '1', user_id: ALICE });
    await eventually(() => expect(w.aws.callsTo('TagResource').length).toBeGreaterThan(0));

    await w.slack.sendSlashCommand(w.eventsUrl, { text: 'list', user_id: BOB });
    const list = await eventually(() => {
      const [response] = w.slack.responses();
      expect(response).toBeDefined();
      return response?.body as { text: string; blocks: unknown[]; response_type: string };
    });
    expect(list.response_type).toBe('ephemeral');
    expect(shown(list)).toContain('1 review app is running');
    expect(shown(list)).toContain('!1 One');
    expect(shown(list)).toContain(`by <@${ALICE}>`);
    expect(shown(list)).toContain('Estimated cost of the running apps so far');

    // Alice's app: Bob is asked first, and stops it once he says so.
    await w.slack.sendSlashCommand(w.eventsUrl, { text: 'stop 1', user_id: BOB });
    const question = await eventually(() => {
      const answer = w.slack.responses().at(-1)?.body as PrivateAnswer | undefined;
      expect(answer && shown(answer)).toContain('Stop it anyway?');
      return answer as PrivateAnswer;
    });
    expect(w.aws.callsTo('StopTask')).toHaveLength(0);
    await w.slack.sendBlockAction(w.eventsUrl, {
      user_id: BOB,
      channel_id: CHANNEL,
      actions: [{ action_id: buttons(question)[0]?.action_id as string, value: '{"mr":1}' }],
    });
    await eventually(() => expect(w.aws.callsTo('StopTask')).toHaveLength(1));
    expect(w.aws.callsTo('StopTask')[0]?.reason).toBe(
      `review-app-bot: stopped by ${BOB} via Slack`,
    );
    const parent = w.slack.messages(CHANNEL).find((m) => !m.thread_ts);
    const thread = await eventually(() => {
      const replies = w.slack.thread(CHANNEL, parent?.ts as string);
      expect(replies.some((r) => shown(r).includes(`stopped by <@${BOB}>`))).toBe(true);
      return replies;
    });
    expect(shown(thread[0] as never)).toContain('stopped by');
    expect(thread.some((r) => r.reply_broadcast)).toBe(false);
  });

  it('extends an app with /review-app extend 42, saying so in its thread', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: ALICE });
    await eventually(() => expect(w.aws.callsTo('TagResource').length).toBeGreaterThan(0));
    const arn = w.aws.tasks()[0]?.taskArn as string;

    await w.slack.sendSlashCommand(w.eventsUrl, { text: 'extend !42', user_id: ALICE });
    const answer = await eventually(() => {
      const body = w.slack.responses().at(-1)?.body as PrivateAnswer | undefined;
      expect(body && shown(body)).toContain('Extended the review app of !42 until');
      return body as PrivateAnswer;
    });
    expect(answer.response_type).toBe('ephemeral');
    // Launched at 12:00 with 30 minutes: now until 13:00.
    expect(taskTags(w.aws, arn)['review-app:soft-deadline']).toBe('2026-11-27T13:00:00.000Z');
    const parent = w.slack.messages(CHANNEL).find((m) => !m.thread_ts);
    expect(
      w.slack
        .thread(CHANNEL, parent?.ts as string)
        .some((r) => shown(r).includes(`<@${ALICE}> extended the review app for !42`)),
    ).toBe(true);

    await w.slack.sendSlashCommand(w.eventsUrl, { text: 'extend 7', user_id: ALICE });
    await eventually(() =>
      expect(shown(w.slack.responses().at(-1)?.body as PrivateAnswer)).toContain(
        '!7 has no review app running',
      ),
    );
  });

  it('refuses an MR URL of another project', async () => {
    await using w = await startBotWorld();
    await w.slack.sendSlashCommand(w.eventsUrl, {
      text: `${w.gitlab.url}/acme/other/-/merge_requests/3`,
    });
    const [response] = await eventually(() => {
      expect(w.slack.responses()).toHaveLength(1);
      return w.slack.responses();
    });
    expect(shown(response?.body as never)).toContain('belongs to acme/other, not to acme/shop');
    expect(w.gitlab.requests).toHaveLength(0);
  });
});
