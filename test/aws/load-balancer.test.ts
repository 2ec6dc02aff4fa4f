import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type AwsStandIn, startAwsStandIn } from '@review-app-bot/sandbox';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/aws/clients.js';
import { AlbRouter } from '../../src/aws/load-balancer.js';
import type { LoadBalancerSettings } from '../../src/aws/settings.js';
import { isReviewAppError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logger.js';
import { FakeClock } from '../support/fake-clock.js';

const SECRET = 'oidc-client-secret-9f8e7d';
const OIDC = {
  issuer: 'https://sso.example.com',
  authorizationEndpoint: 'https://sso.example.com/authorize',
  tokenEndpoint: 'https://sso.example.com/token',
  userInfoEndpoint: 'https://sso.example.com/userinfo',
  clientId: 'review-apps',
  clientSecret: SECRET,
};

const app = (
  mr: number,
  ip: string,
  task = `arn:aws:ecs:us-east-1:123456789012:task/review-apps/${ip.replaceAll('.', '')}`,
) => ({
  project: 'acme/shop',
  mr,
  taskArn: task,
  ip,
  port: 3000,
});

async function routerWorld(
  access: Partial<LoadBalancerSettings['access']> = {},
  listener: { protocol?: 'HTTP' | 'HTTPS'; port?: number } = {},
) {
  const clock = new FakeClock();
  const aws = await startAwsStandIn({ now: clock.now });
  const { listenerArn } = aws.addLoadBalancer({ domain: 'review.example.com', ...listener });
  const log: string[] = [];
  const settings: LoadBalancerSettings = {
    listenerArn,
    domain: 'review.example.com',
    hostTemplate: 'mr-{mr}.{domain}',
    healthCheck: { path: '/', codes: '200-399', intervalSeconds: 5, healthyThreshold: 2 },
    deregistrationDelaySeconds: 5,
    firstPriority: 10_000,
    access: { cidrs: [], ...access },
  };
  const clients = createAwsClients({
    endpoints: { elbv2: aws.url },
    region: aws.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const logger = createLogger({ secrets: [], write: (line) => log.push(line), now: clock.now });
  const router = new AlbRouter(clients, settings, logger, clock.now);
  const open = (host: string, sourceIp = '198.51.100.7') =>
    aws.listenerAnswer(listenerArn, { host, sourceIp });
  return { aws, clock, router, log, open, listenerArn, clients, settings, logger };
}

const ours = (aws: AwsStandIn) => aws.loadBalancing();

describe('AlbRouter: review apps on one shared Application Load Balancer', () => {
  it('gives an app its name: one rule and one target group, tagged, answering once healthy', async () => {
    const { aws, clock, router, open } = await routerWorld();
    await using _ = aws;
    const { url } = await router.route(app(42, '10.0.0.4'));
    expect(url).toBe('https://mr-42.review.example.com/');

    const { rules, targetGroups } = ours(aws);
    expect(rules).toHaveLength(1);
    expect(targetGroups).toHaveLength(1);
    expect(targetGroups[0]?.name).toMatch(/^ra-[0-9a-f]{8}-mr42$/);
    for (const resource of [rules[0], targetGroups[0]]) {
      expect(resource?.tags).toMatchObject({
        'review-app:project': 'acme/shop',
        'review-app:mr': '42',
      });
    }
    expect(rules[0]?.tags['review-app:task']).toContain('task/review-apps/');

    expect(await router.health(app(42, '10.0.0.4'))).toMatchObject({ state: 'initial' });
    expect(open('mr-42.review.example.com')).toMatchObject({ kind: 'forward', targets: [] });
    clock.advance(10_000);
    expect(await router.health(app(42, '10.0.0.4'))).toEqual({ state: 'healthy' });
    expect(open('mr-42.review.example.com')).toMatchObject({
      kind: 'forward',
      targets: ['10.0.0.4:3000'],
    });
    expect(open('mr-43.review.example.com')).toMatchObject({ kind: 'fixed-response', status: 404 });
  });

  it('writes the link as the listener serves it: https on 443 as before, http with its port otherwise', async () => {
    const https = await routerWorld();
    await using _https = https.aws;
    expect((await https.router.route(app(42, '10.0.0.4'))).url).toBe(
      'https://mr-42.review.example.com/',
    );
    // The sandbox's listener: plain HTTP on the page's port, where a browser must be sent.
    const http = await routerWorld({}, { protocol: 'HTTP', port: 3000 });
    await using _http = http.aws;
    expect((await http.router.route(app(42, '10.0.0.4'))).url).toBe(
      'http://mr-42.review.example.com:3000/',
    );
    const plain = await routerWorld({}, { protocol: 'HTTP', port: 80 });
    await using _plain = plain.aws;
    expect((await plain.router.route(app(7, '10.0.0.5'))).url).toBe(
      'http://mr-7.review.example.com/',
    );
  });

  it('reports an unhealthy app with the reason the load balancer gives', async () => {
    const { aws, clock, router } = await routerWorld();
    await using _ = aws;
    aws.setTargetHealth('10.0.0.4', 'Target.ResponseCodeMismatch');
    await router.route(app(42, '10.0.0.4'));
    clock.advance(10_000);
    expect(await router.health(app(42, '10.0.0.4'))).toEqual({
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [502]',
    });
  });

  it('keeps the name and the rule across a relaunch, with the new task behind it', async () => {
    const { aws, clock, router, open } = await routerWorld();
    await using _ = aws;
    await router.route(app(42, '10.0.0.4'));
    const before = ours(aws).rules[0];
    const { url } = await router.route(app(42, '10.0.0.9'));
    expect(url).toBe('https://mr-42.review.example.com/');
    const after = ours(aws);
    expect(after.rules.map((r) => [r.arn, r.priority])).toEqual([[before?.arn, before?.priority]]);
    expect(after.rules[0]?.tags['review-app:task']).toContain('10009');
    clock.advance(10_000);
    expect(open('mr-42.review.example.com')).toMatchObject({ targets: ['10.0.0.9:3000'] });
    expect(ours(aws).targetGroups[0]?.targets).toEqual([{ id: '10.0.0.9', port: 3000 }]);

    // Routing the same task again changes nothing.
    const calls = aws.operations().length;
    await router.route(app(42, '10.0.0.9'));
    expect(aws.operations().slice(calls)).not.toContain('ModifyRule');
    expect(aws.operations().slice(calls)).not.toContain('RegisterTargets');
  });

  it('gives apps distinct priorities from the first one configured', async () => {
    const { aws, router } = await routerWorld();
    await using _ = aws;
    await Promise.all([router.route(app(1, '10.0.0.4')), router.route(app(2, '10.0.0.5'))]);
    await router.route(app(3, '10.0.0.6'));
    expect(
      ours(aws)
        .rules.map((r) => r.priority)
        .sort(),
    ).toEqual([10_000, 10_001, 10_002]);
  });

  it('shows the ended page until its time, then the sweep leaves nothing, rule before target group', async () => {
    const { aws, clock, router, open } = await routerWorld();
    await using _ = aws;
    await router.route(app(42, '10.0.0.4'));
    const text = 'The review app for !42 ended at 14:30 UTC: expired. Relaunch it from Slack.';
    await router.ended(app(42, '10.0.0.4'), { text, until: clock.now() + 86_400_000 });
    expect(open('mr-42.review.example.com')).toMatchObject({ kind: 'fixed-response', body: text });
    expect(ours(aws).targetGroups).toEqual([]);

    expect(await router.sweep({ live: [] }, clock.now())).toEqual({ removed: 0 });
    expect(open('mr-42.review.example.com')).toMatchObject({ body: text });
    clock.advance(86_400_000);
    expect(await router.sweep({ live: [] }, clock.now())).toEqual({ removed: 1 });
    expect(ours(aws)).toEqual({ rules: [], targetGroups: [] });
    expect(open('mr-42.review.example.com')).toMatchObject({ status: 404 });

    // Relaunching after the end brings the same name back.
    expect((await router.route(app(42, '10.0.0.7'))).url).toBe('https://mr-42.review.example.com/');
  });

  it('removes a merged MR’s page at once, and what a crashed bot left (rule, then target group)', async () => {
    const { aws, clock, router } = await routerWorld();
    await using _ = aws;
    await router.route(app(42, '10.0.0.4'));
    await router.route(app(43, '10.0.0.5'));
    await router.ended(app(42, '10.0.0.4'), { text: 'ended', until: clock.now() + 86_400_000 });
    // The bot was down while !43's task went away: its rule and group are still live.
    clock.advance(11 * 60_000);
    const calls = aws.operations().length;
    const { removed } = await router.sweep(
      { live: [], closed: [{ project: 'acme/shop', mr: 42 }] },
      clock.now(),
    );
    expect(removed).toBe(3);
    expect(ours(aws)).toEqual({ rules: [], targetGroups: [] });
    const order = aws
      .operations()
      .slice(calls)
      .filter((o) => o.startsWith('Delete'));
    expect(order).toEqual(['DeleteRule', 'DeleteRule', 'DeleteTargetGroup']);
  });

  it('keeps a just-launched app’s route that the live list does not show yet', async () => {
    const { aws, clock, router } = await routerWorld();
    await using _ = aws;
    await router.route(app(42, '10.0.0.4'));
    expect(await router.sweep({ live: [] }, clock.now())).toEqual({ removed: 0 });
    expect(ours(aws).rules).toHaveLength(1);
  });

  it('refuses a launch the load balancer has no room for, before anything is made', async () => {
    const { aws, router, listenerArn } = await routerWorld();
    await using _ = aws;
    await router.route(app(7, '10.0.0.4'));
    // The rest of the listener's 100 rules belong to the operator's other sites.
    const elb = new ElasticLoadBalancingV2Client({
      endpoint: aws.url,
      region: aws.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { TargetGroups } = await elb.send(
      new CreateTargetGroupCommand({
        Name: 'other-site',
        Port: 80,
        Protocol: 'HTTP',
        VpcId: 'vpc-0a1b2c3d4e5f60718',
        TargetType: 'ip',
      }),
    );
    for (let priority = 1; priority <= 99; priority += 1) {
      await elb.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: priority,
          Conditions: [
            {
              Field: 'host-header',
              HostHeaderConfig: { Values: [`site-${priority}.example.com`] },
            },
          ],
          Actions: [{ Type: 'forward', TargetGroupArn: TargetGroups?.[0]?.TargetGroupArn }],
        }),
      );
    }
    await router.admit({ project: 'acme/shop', mr: 7 });
    const refused = await router.admit({ project: 'acme/shop', mr: 8 }).catch((e: unknown) => e);
    expect(isReviewAppError(refused, 'ROUTES_FULL')).toBe(true);
    expect((refused as Error).message).toContain('rules (100 of 100)');
    const failed = await router.route(app(8, '10.0.0.5')).catch((e: unknown) => e);
    expect(isReviewAppError(failed, 'ROUTES_FULL')).toBe(true);
    expect(ours(aws).targetGroups.map((g) => g.name)).toEqual([
      expect.stringMatching(/-mr7$/),
      'other-site',
    ]);
  });

  it('admits only the allowed networks, several rules when they do not fit one condition', async () => {
    const cidrs = ['203.0.113.0/24', '198.51.100.0/24', '192.0.2.0/24', '10.20.0.0/16'];
    const { aws, router, open } = await routerWorld({ cidrs });
    await using _ = aws;
    await router.route(app(42, '10.0.0.4'));
    const { rules } = ours(aws);
    expect(rules.map((r) => r.conditions)).toEqual([
      [
        expect.objectContaining({ Field: 'host-header' }),
        { Field: 'source-ip', SourceIpConfig: { Values: cidrs.slice(0, 3) } },
      ],
      [
        expect.objectContaining({ Field: 'host-header' }),
        { Field: 'source-ip', SourceIpConfig: { Values: cidrs.slice(3) } },
      ],
    ]);
    expect(open('mr-42.review.example.com', '10.20.1.1')).toMatchObject({ kind: 'forward' });
    expect(open('mr-42.review.example.com', '8.8.8.8')).toMatchObject({ status: 404 });
    expect((await router.room()).rulesPerApp).toBe(2);
  });

  it('applies changed networks to an app’s rule at its next route', async () => {
    const { aws, clock, router, open, clients, settings, logger } = await routerWorld();
    await using _ = aws;
    await router.route(app(42, '10.0.0.4'));
    const office = { ...settings, access: { cidrs: ['203.0.113.0/24'] } };
    await new AlbRouter(clients, office, logger, clock.now).route(app(42, '10.0.0.4'));
    expect(open('mr-42.review.example.com', '8.8.8.8')).toMatchObject({ status: 404 });
    expect(open('mr-42.review.example.com', '203.0.113.9')).toMatchObject({ kind: 'forward' });
    expect(ours(aws).rules).toHaveLength(1);
  });

  it('signs people in with OIDC before the app, the secret only ever sent to ELB', async () => {
    const { aws, clock, router, open, log } = await routerWorld({ oidc: OIDC });
    await using _ = aws;
    await router.route(app(42, '10.0.0.4'));
    expect(open('mr-42.review.example.com')).toMatchObject({
      kind: 'sign-in',
      issuer: OIDC.issuer,
    });
    await router.route(app(42, '10.0.0.9'));
    await router.ended(app(42, '10.0.0.9'), { text: 'ended', until: clock.now() + 1000 });

    const { rules } = ours(aws);
    expect(rules[0]?.actions).toMatchObject([
      { Type: 'authenticate-oidc', Order: 1 },
      { Type: 'fixed-response', Order: 2 },
    ]);
    const creates = aws.callsTo('CreateRule');
    expect(Object.values(creates[0] ?? {})).toContain(SECRET);
    // Sent once, on create; modifications keep the rule's own.
    const modifies = aws.callsTo('ModifyRule').map((c) => Object.values(c));
    expect(modifies.flat()).not.toContain(SECRET);
    expect(JSON.stringify(ours(aws))).not.toContain(SECRET);
    expect(log.join('\n')).not.toContain(SECRET);
    expect(log.join('\n')).toContain('Review app routed');
  });
});
