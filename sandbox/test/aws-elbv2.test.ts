import {
  AddTagsCommand,
  CreateRuleCommand,
  type CreateRuleCommandInput,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenerCertificatesCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  SetRulePrioritiesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { startAwsStandIn } from '../src/aws.js';
import { clientConfig, manualClock, rejection } from './aws-fixtures.js';

const HOST = 'mr-42.review.example.com';

async function balanced(
  options: { protocol?: 'HTTP' | 'HTTPS'; quotas?: { rulesPerLoadBalancer: number } } = {},
) {
  const clock = manualClock();
  const aws = await startAwsStandIn({
    now: clock.now,
    ...(options.quotas ? { elbv2Quotas: options.quotas } : {}),
  });
  const lb = aws.addLoadBalancer(options.protocol ? { protocol: options.protocol } : {});
  const elb = new ElasticLoadBalancingV2Client(clientConfig(aws));
  const group = async (name = 'ra-1a2b3c-mr42') => {
    const made = await elb.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: 'HTTP',
        Port: 3000,
        VpcId: lb.vpcId,
        TargetType: 'ip',
        HealthCheckIntervalSeconds: 5,
        HealthCheckTimeoutSeconds: 4,
        HealthyThresholdCount: 2,
      }),
    );
    return made.TargetGroups?.[0]?.TargetGroupArn as string;
  };
  const rule = (overrides: Partial<CreateRuleCommandInput> & { target?: string }) =>
    elb.send(
      new CreateRuleCommand({
        ListenerArn: lb.listenerArn,
        Priority: 1,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [HOST] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: overrides.target }],
        ...overrides,
      }),
    );
  return { aws, lb, elb, clock, group, rule };
}

const oidc = (secret?: string) => ({
  Type: 'authenticate-oidc' as const,
  Order: 1,
  AuthenticateOidcConfig: {
    Issuer: 'https://idp.example.com',
    AuthorizationEndpoint: 'https://idp.example.com/authorize',
    TokenEndpoint: 'https://idp.example.com/token',
    UserInfoEndpoint: 'https://idp.example.com/userinfo',
    ClientId: 'review-apps',
    ...(secret ? { ClientSecret: secret } : {}),
  },
});

describe('AWS stand-in: ELBv2 with @aws-sdk/client-elastic-load-balancing-v2', () => {
  it('routes a host to a target group, and answers the default 404 for other names', async () => {
    const { aws, lb, elb, group, rule } = await balanced();
    await using _ = aws;
    const target = await group();
    const made = await rule({ target, Tags: [{ Key: 'review-app:mr', Value: '42' }] });
    expect(made.Rules?.[0]).toMatchObject({ Priority: '1', IsDefault: false });
    const listed = await elb.send(new DescribeRulesCommand({ ListenerArn: lb.listenerArn }));
    expect(listed.Rules?.map((r) => r.Priority)).toEqual(['1', 'default']);
    const tags = await elb.send(
      new DescribeTagsCommand({ ResourceArns: [made.Rules?.[0]?.RuleArn as string, target] }),
    );
    expect(tags.TagDescriptions?.[0]?.Tags).toEqual([{ Key: 'review-app:mr', Value: '42' }]);
    expect(aws.listenerAnswer(lb.listenerArn, { host: 'MR-42.review.example.com' }).kind).toBe(
      'forward',
    );
    expect(aws.listenerAnswer(lb.listenerArn, { host: 'mr-7.review.example.com' })).toMatchObject({
      kind: 'fixed-response',
      status: 404,
    });
  });

  it('refuses a priority in use and one outside 1–50,000', async () => {
    const { aws, group, rule } = await balanced();
    await using _ = aws;
    const target = await group();
    await rule({ target });
    expect((await rejection(rule({ target, Priority: 1 }))).name).toBe('PriorityInUseException');
    expect((await rejection(rule({ target, Priority: 50_001 }))).name).toBe('ValidationError');
  });

  it('refuses host names too long or with characters ALB does not allow', async () => {
    const { aws, group, rule } = await balanced();
    await using _ = aws;
    const target = await group();
    const host = (value: string) =>
      rule({
        target,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [value] } }],
      });
    expect((await rejection(host(`${'a'.repeat(120)}.example.com`))).message).toContain('128');
    expect((await rejection(host('mr_42.review.example.com'))).name).toBe('ValidationError');
    expect((await rejection(host('localhost'))).name).toBe('ValidationError');
  });

  it('refuses more than three values a condition, five a rule, two source-ip conditions, bad CIDRs', async () => {
    const { aws, group, rule } = await balanced();
    await using _ = aws;
    const target = await group();
    const sourceIp = (values: string[]) => ({
      Field: 'source-ip',
      SourceIpConfig: { Values: values },
    });
    const hosts = (values: string[]) => ({
      Field: 'host-header',
      HostHeaderConfig: { Values: values },
    });
    const cidrs = ['10.0.0.0/8', '192.168.0.0/16', '172.16.0.0/12', '100.64.0.0/10'];
    expect(
      (await rejection(rule({ target, Conditions: [hosts([HOST]), sourceIp(cidrs)] }))).message,
    ).toContain('at most 3');
    expect(
      (
        await rejection(
          rule({
            target,
            Conditions: [
              hosts([HOST, 'a.example.com', 'b.example.com']),
              sourceIp(cidrs.slice(0, 3)),
            ],
          }),
        )
      ).message,
    ).toContain("'5' condition values");
    expect(
      (
        await rejection(
          rule({
            target,
            Conditions: [hosts([HOST]), sourceIp(['10.0.0.0/8']), sourceIp(['192.168.0.0/16'])],
          }),
        )
      ).message,
    ).toContain("one 'source-ip'");
    expect((await rejection(rule({ target, Conditions: [sourceIp(['10.0.0.0/33'])] }))).name).toBe(
      'ValidationError',
    );
    expect(
      (
        await rejection(
          rule({ target, Conditions: [hosts(['*.*.*.example.com', '*.*.*.example.org'])] }),
        )
      ).message,
    ).toContain('wildcards');
  });

  it('refuses target group names ALB refuses, and a name used twice in the region', async () => {
    const { aws, group } = await balanced();
    await using _ = aws;
    await group('ra-1a2b3c-mr42');
    expect((await rejection(group('ra-1a2b3c-mr42'))).name).toBe(
      'DuplicateTargetGroupNameException',
    );
    expect((await rejection(group('x'.repeat(33)))).name).toBe('ValidationError');
    expect((await rejection(group('-ra-mr42'))).name).toBe('ValidationError');
    expect((await rejection(group('ra_mr42'))).name).toBe('ValidationError');
  });

  it('keeps a target group a rule uses (ResourceInUse) and deletes it once the rule is gone', async () => {
    const { aws, elb, group, rule } = await balanced();
    await using _ = aws;
    const target = await group();
    const made = await rule({ target });
    const inUse = await rejection(
      elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: target })),
    );
    expect(inUse.name).toBe('ResourceInUseException');
    await elb.send(new DeleteRuleCommand({ RuleArn: made.Rules?.[0]?.RuleArn }));
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: target }));
    expect(aws.loadBalancing()).toEqual({ rules: [], targetGroups: [] });
  });

  it('refuses the 101st rule and the 101st target group on one load balancer', async () => {
    const { aws, lb, elb, group, rule } = await balanced();
    await using _ = aws;
    const targets: string[] = [];
    for (let i = 1; i <= 100; i += 1) {
      const target = await group(`g${i}`);
      targets.push(target);
      const host = `mr-${i}.review.example.com`;
      await rule({ target, Priority: i, Conditions: [{ Field: 'host-header', Values: [host] }] });
    }
    const extra = await group('g101');
    expect((await rejection(rule({ target: extra, Priority: 101 }))).name).toBe(
      'TooManyRulesException',
    );
    const first = (await elb.send(new DescribeRulesCommand({ ListenerArn: lb.listenerArn })))
      .Rules?.[0];
    const both = [{ TargetGroupArn: targets[0] }, { TargetGroupArn: extra }];
    const modified = await rejection(
      elb.send(
        new ModifyRuleCommand({
          RuleArn: first?.RuleArn,
          Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: both } }],
        }),
      ),
    );
    expect(modified.name).toBe('TooManyUniqueTargetGroupsPerLoadBalancerException');
  });

  it('takes a raised rules quota, and refuses past it', async () => {
    const { aws, rule } = await balanced({ quotas: { rulesPerLoadBalancer: 102 } });
    await using _ = aws;
    const page = { Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '410' } };
    for (let i = 1; i <= 102; i += 1) {
      const host = `mr-${i}.review.example.com`;
      await rule({
        Priority: i,
        Conditions: [{ Field: 'host-header', Values: [host] }],
        Actions: [page],
      });
    }
    const past = await rejection(rule({ Priority: 103, Actions: [page] }));
    expect(past.name).toBe('TooManyRulesException');
    expect(past.message).toContain('102');
  });

  it('builds OIDC only on HTTPS, needs the client secret on create, and never shows it', async () => {
    const { aws, lb, elb, group, rule } = await balanced();
    await using _ = aws;
    const target = await group();
    const forward = { Type: 'forward' as const, Order: 2, TargetGroupArn: target };
    expect((await rejection(rule({ Actions: [oidc(), forward] }))).message).toContain(
      'ClientSecret',
    );
    const made = await rule({ Actions: [oidc('s3cr3t-value'), forward] });
    const ruleArn = made.Rules?.[0]?.RuleArn as string;
    const reuse = oidc();
    await elb.send(
      new ModifyRuleCommand({
        RuleArn: ruleArn,
        Actions: [
          {
            ...reuse,
            AuthenticateOidcConfig: {
              ...reuse.AuthenticateOidcConfig,
              UseExistingClientSecret: true,
            },
          },
          forward,
        ],
      }),
    );
    const listed = await elb.send(new DescribeRulesCommand({ ListenerArn: lb.listenerArn }));
    expect(JSON.stringify(listed)).not.toContain('s3cr3t-value');
    expect(aws.listenerAnswer(lb.listenerArn, { host: HOST })).toMatchObject({
      kind: 'sign-in',
      clientId: 'review-apps',
    });
    expect(
      (await rejection(rule({ Priority: 2, Actions: [forward, { ...oidc('x'), Order: 3 }] }))).name,
    ).toBe('InvalidLoadBalancerActionException');

    const plain = await balanced({ protocol: 'HTTP' });
    await using __ = plain.aws;
    const plainTarget = await plain.group();
    const onHttp = await rejection(
      plain.rule({ Actions: [oidc('s'), { ...forward, TargetGroupArn: plainTarget }] }),
    );
    expect(onHttp.name).toBe('InvalidLoadBalancerActionException');
  });

  it('checks fixed responses: status 2XX/4XX/5XX, body up to 1024 characters', async () => {
    const { aws, lb, rule } = await balanced();
    await using _ = aws;
    const fixed = (StatusCode: string, MessageBody: string) =>
      rule({
        Actions: [
          {
            Type: 'fixed-response',
            FixedResponseConfig: { StatusCode, ContentType: 'text/plain', MessageBody },
          },
        ],
      });
    expect((await rejection(fixed('302', 'moved'))).name).toBe('ValidationError');
    expect((await rejection(fixed('410', 'x'.repeat(1025)))).name).toBe('ValidationError');
    await fixed('410', 'The review app ended.');
    expect(aws.listenerAnswer(lb.listenerArn, { host: HOST })).toMatchObject({
      status: 410,
      body: 'The review app ended.',
    });
  });

  it('moves a new target initial → healthy after one check, or unhealthy with a reason; draining after deregistering', async () => {
    const { aws, lb, elb, clock, group, rule } = await balanced();
    await using _ = aws;
    const target = await group();
    const health = async () =>
      (
        await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: target }))
      ).TargetHealthDescriptions?.map((d) => d.TargetHealth);
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: target,
        Targets: [{ Id: '10.0.0.4', Port: 3000 }],
      }),
    );
    expect((await health())?.[0]).toMatchObject({ State: 'unused', Reason: 'Target.NotInUse' });
    await rule({ target });
    expect((await health())?.[0]).toMatchObject({
      State: 'initial',
      Reason: 'Elb.RegistrationInProgress',
    });
    // One passing check makes a new target healthy (HealthyThresholdCount, 2 here, is for
    // an unhealthy one coming back): the check runs one interval (5 s) after registration.
    clock.advance(4_999);
    expect((await health())?.[0]?.State).toBe('initial');
    clock.advance(1);
    expect((await health())?.[0]?.State).toBe('healthy');

    aws.setTargetHealth('10.0.0.4', 'Target.ResponseCodeMismatch');
    // A healthy target stays in service until UnhealthyThresholdCount (2) checks have failed.
    clock.advance(9_999);
    expect((await health())?.[0]?.State).toBe('healthy');
    clock.advance(1);
    expect((await health())?.[0]).toMatchObject({
      State: 'unhealthy',
      Reason: 'Target.ResponseCodeMismatch',
    });
    // Failing for another reason is failing still, not a new start.
    aws.setTargetHealth('10.0.0.4', 'Target.Timeout');
    expect((await health())?.[0]).toMatchObject({ State: 'unhealthy', Reason: 'Target.Timeout' });
    // Only unhealthy targets: the load balancer fails open and sends them the traffic.
    expect(aws.listenerAnswer(lb.listenerArn, { host: HOST })).toMatchObject({
      kind: 'forward',
      targets: ['10.0.0.4:3000'],
    });

    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: target,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }],
      }),
    );
    await elb.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: target,
        Targets: [{ Id: '10.0.0.4', Port: 3000 }],
      }),
    );
    expect((await health())?.[0]).toMatchObject({
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
    });
    clock.advance(5_000);
    expect(await health()).toEqual([]);
  });

  it('refuses IP targets outside the target group’s VPC', async () => {
    const { aws, elb, group } = await balanced();
    await using _ = aws;
    const target = await group();
    const outside = await rejection(
      elb.send(
        new RegisterTargetsCommand({
          TargetGroupArn: target,
          Targets: [{ Id: '192.168.1.10', Port: 3000 }],
        }),
      ),
    );
    expect(outside.name).toBe('InvalidTargetException');
  });

  it('reads and adds tags for at most 20 resources a call', async () => {
    const { aws, elb, group } = await balanced();
    await using _ = aws;
    const target = await group();
    await elb.send(
      new AddTagsCommand({
        ResourceArns: [target],
        Tags: [{ Key: 'review-app:task', Value: 'abc' }],
      }),
    );
    const tooMany = await rejection(
      elb.send(new DescribeTagsCommand({ ResourceArns: Array(21).fill(target) })),
    );
    expect(tooMany.name).toBe('ValidationError');
    const reserved = await rejection(
      elb.send(
        new AddTagsCommand({ ResourceArns: [target], Tags: [{ Key: 'aws:x', Value: '1' }] }),
      ),
    );
    expect(reserved.name).toBe('ValidationError');
  });

  it('moves priorities only to free ones, keeps the default rule, and shows the wildcard certificate', async () => {
    const { aws, lb, elb, group, rule } = await balanced();
    await using _ = aws;
    const target = await group();
    const first = (await rule({ target })).Rules?.[0]?.RuleArn as string;
    const other = `mr-43.review.example.com`;
    const second = (
      await rule({ target, Priority: 2, Conditions: [{ Field: 'host-header', Values: [other] }] })
    ).Rules?.[0]?.RuleArn as string;
    const clash = await rejection(
      elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: first, Priority: 2 }] })),
    );
    expect(clash.name).toBe('PriorityInUseException');
    await elb.send(
      new SetRulePrioritiesCommand({
        RulePriorities: [
          { RuleArn: first, Priority: 2 },
          { RuleArn: second, Priority: 1 },
        ],
      }),
    );
    const { Rules } = await elb.send(new DescribeRulesCommand({ ListenerArn: lb.listenerArn }));
    expect(Rules?.map((r) => r.RuleArn)).toEqual([
      second,
      first,
      expect.stringMatching(/\/default$/),
    ]);
    const keep = await rejection(elb.send(new DeleteRuleCommand({ RuleArn: Rules?.[2]?.RuleArn })));
    expect(keep.name).toBe('OperationNotPermittedException');
    const { Certificates } = await elb.send(
      new DescribeListenerCertificatesCommand({ ListenerArn: lb.listenerArn }),
    );
    expect(Certificates).toEqual([{ CertificateArn: lb.certificateArn, IsDefault: true }]);
  });
});
