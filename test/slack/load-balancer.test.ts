import {
  CreateRuleCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/ids.js';
import {
  ALICE,
  CHANNEL,
  clickButton,
  eventually,
  launchedFromSlack,
  shown,
  startBotWorld,
  watchAfter,
} from '../support/bot.js';
import { cli } from '../support/cli.js';
import { PROJECT_ID, taskTags } from '../support/world.js';

const HOST = 'mr-42.review.example.com';
const MINUTE = 60_000;

const listener = (w: { loadBalancer?: { listenerArn: string } }) =>
  w.loadBalancer?.listenerArn as string;

describe('review apps behind the shared load balancer', () => {
  it('posts https://mr-42.<domain> only once the target passes the health checks, with the IP in the thread', async () => {
    await using w = await startBotWorld({ loadBalancer: true });
    w.addMergeRequest(42);
    const { status, arn } = await launchedFromSlack(w, 42);
    const ip = w.aws.networkInterface(arn)?.privateIpAddress as string;
    expect(shown(status)).toContain(`https://${HOST}`);
    expect(shown(status)).toContain(ip);
    expect(taskTags(w.aws, arn)['review-app:url']).toBe(`https://${HOST}/`);
    // What the status said on the way: it waited for the checks, and only then gave the link.
    const said = w.slack.calls('chat.update').map((c) => String(c.text));
    const waiting = said.findIndex((text) => text.includes("load balancer's health checks"));
    const linked = said.findIndex((text) => text.includes(`https://${HOST}`));
    expect(waiting).toBeGreaterThanOrEqual(0);
    expect(said.slice(0, waiting + 1).some((text) => text.includes('https://'))).toBe(false);
    expect(linked).toBeGreaterThan(waiting);
    expect(w.aws.listenerAnswer(listener(w), { host: HOST })).toMatchObject({ kind: 'forward' });
  });

  it('keeps the same name and rule across a relaunch, with the new task behind it', async () => {
    await using w = await startBotWorld({ loadBalancer: true });
    w.addMergeRequest(42);
    const { parent, status, arn } = await launchedFromSlack(w, 42);
    const [rule] = w.aws.loadBalancing().rules;

    await clickButton(w, status, ACTIONS.relaunch, 42);
    const relaunched = await eventually(() => {
      const reply = w.slack
        .thread(CHANNEL, parent.ts)
        .find((r) => r.ts !== status.ts && shown(r).includes('Running'));
      expect(reply).toBeDefined();
      return reply as NonNullable<typeof reply>;
    });
    const newArn = w.aws.tasks().find((t) => t.taskArn !== arn)?.taskArn as string;
    const newIp = w.aws.networkInterface(newArn)?.privateIpAddress as string;
    expect(shown(relaunched)).toContain(`https://${HOST}`);
    expect(shown(relaunched)).toContain(newIp);
    expect(w.aws.loadBalancing().rules.map((r) => r.arn)).toEqual([rule?.arn]);
    expect(w.aws.listenerAnswer(listener(w), { host: HOST })).toMatchObject({
      kind: 'forward',
      targets: [expect.stringContaining(newIp)],
    });
  });

  it('reports an app that fails its health checks with the reason, its last lines, and stops it', async () => {
    await using w = await startBotWorld({ loadBalancer: true });
    w.addMergeRequest(42);
    // The stand-in gives the first task 10.0.0.4; its app answers the checks with a 502.
    w.aws.setTargetHealth('10.0.0.4', 'Target.ResponseCodeMismatch');
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: ALICE });
    const notice = await eventually(() => {
      const found = w.slack.messages(CHANNEL).find((m) => shown(m).includes('health checks'));
      expect(found && shown(found)).toContain('Could not launch');
      return found as NonNullable<typeof found>;
    });
    expect(shown(notice)).toContain('Health checks failed with these codes: [502]');
    expect(shown(notice)).not.toContain(`https://${HOST}`);
    expect(w.aws.callsTo('StopTask')).toHaveLength(1);
  });

  it('refuses a launch the load balancer has no room for, before RunTask', async () => {
    await using w = await startBotWorld({ loadBalancer: true });
    w.addMergeRequest(42);
    await fillListener(w);
    await w.slack.sendSlashCommand(w.eventsUrl, { text: '42', user_id: ALICE });
    await eventually(() =>
      expect(w.slack.messages(CHANNEL).some((m) => shown(m).includes('100 of 100'))).toBe(true),
    );
    expect(w.aws.callsTo('RunTask')).toHaveLength(0);
  });

  it('answers the name of an expired app with a short page for a day, then removes its rule and target group', async () => {
    await using w = await startBotWorld({ loadBalancer: true });
    w.addMergeRequest(42);
    await launchedFromSlack(w, 42);
    await watchAfter(w, 31 * MINUTE);
    const answer = w.aws.listenerAnswer(listener(w), { host: HOST });
    expect(answer).toMatchObject({ kind: 'fixed-response' });
    expect(answer.kind === 'fixed-response' && answer.body).toMatch(
      /^The review app for !42 ended at \d\d:\d\d UTC: expired\. Relaunch it from Slack\.$/,
    );
    expect(w.aws.loadBalancing().targetGroups).toEqual([]);

    await watchAfter(w, 24 * 60 * MINUTE);
    expect(w.aws.loadBalancing().rules).toEqual([]);
    expect(w.aws.listenerAnswer(listener(w), { host: HOST })).toMatchObject({
      kind: 'fixed-response',
      status: 404,
    });
  });

  it('removes the ended page once its MR is merged, before its day is over', async () => {
    await using w = await startBotWorld({ loadBalancer: true });
    w.addMergeRequest(42);
    await launchedFromSlack(w, 42);
    await watchAfter(w, 31 * MINUTE);
    expect(w.aws.listenerAnswer(listener(w), { host: HOST })).toMatchObject({
      kind: 'fixed-response',
      body: expect.stringContaining('ended at'),
    });
    // Merged an hour after its app ended, well before the page's day is over.
    w.gitlab.updateMergeRequest(PROJECT_ID, 42, { state: 'merged' });
    await watchAfter(w, 60 * MINUTE);
    expect(w.aws.loadBalancing().rules).toEqual([]);
    expect(w.aws.listenerAnswer(listener(w), { host: HOST })).toMatchObject({ status: 404 });
  });

  it('leaves nothing on the load balancer after a crash of the bot, once it is back', async () => {
    await using w = await startBotWorld({ loadBalancer: true });
    w.addMergeRequest(42);
    const { arn } = await launchedFromSlack(w, 42);
    expect(w.aws.loadBalancing().rules).toHaveLength(1);
    await w.bot.stop();
    // While the bot was down its app ended and ECS forgot the task.
    w.aws.stopTaskExternally(arn, { stopCode: 'EssentialContainerExited', stoppedReason: 'exit' });
    w.clock.advance(2 * 60 * MINUTE);
    await w.restart();
    await w.bot.watcher.recover();
    expect(w.aws.loadBalancing()).toEqual({ rules: [], targetGroups: [] });
  });
});

/** The listener's 100 rules, taken by the operator's other sites. */
async function fillListener(w: Awaited<ReturnType<typeof startBotWorld>>): Promise<void> {
  const elb = new ElasticLoadBalancingV2Client({
    endpoint: w.aws.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  for (let priority = 1; priority <= 100; priority += 1) {
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener(w),
        Priority: priority,
        Conditions: [
          { Field: 'host-header', HostHeaderConfig: { Values: [`site-${priority}.example.com`] } },
        ],
        Actions: [
          { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', MessageBody: 'ok' } },
        ],
      }),
    );
  }
}

describe('doctor and what the bot left on the load balancer', () => {
  it('lists the rule and target group of an app that ended while the bot was down, and none once swept', async () => {
    await using w = await startBotWorld({ loadBalancer: true });
    w.addMergeRequest(42);
    const { arn } = await launchedFromSlack(w, 42);
    const doctor = async () => {
      const result = await cli(w, ['doctor']);
      return result.lines.find((line) => line.includes('Load balancer leftovers')) ?? '';
    };
    expect(await doctor()).toMatch(/^✓ Load balancer leftovers: None/);

    await w.bot.stop();
    w.aws.stopTaskExternally(arn, { stopCode: 'EssentialContainerExited', stoppedReason: 'exit' });
    w.clock.advance(2 * 60 * MINUTE);
    expect(await doctor()).toBe(
      '✗ Load balancer leftovers: 1 rule and 1 target group of apps that are gone (acme/shop!42): the bot removes them at its next sweep (at start, then every 5 minutes). If it is not running, start it, or delete them: they carry the tags review-app:project and review-app:mr.',
    );

    await w.restart();
    await w.bot.watcher.recover();
    expect(await doctor()).toMatch(/^✓ Load balancer leftovers: None/);
  });
});
