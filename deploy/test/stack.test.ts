import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { documentedPolicy } from '../lib/bot-policy.js';
import { type DeployConfig, parseDeployConfig } from '../lib/config.js';
import { ReviewAppBotStack } from '../lib/stack.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

const TOKENS = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:review-app-bot/tokens-AbCdEf';

function config(overrides: Record<string, unknown> = {}): DeployConfig {
  return parseDeployConfig({
    gitlab: { url: 'https://gitlab.example.com', project: 'acme/shop' },
    tokensSecretArn: TOKENS,
    app: { image: 'registry.example.com/acme/shop:main', port: 3000 },
    ...overrides,
  });
}

function synth(deployConfig: DeployConfig): Template {
  const outdir = mkdtempSync(join(tmpdir(), 'review-app-cdk-'));
  outdirs.push(outdir);
  const app = new App({ outdir });
  const stack = new ReviewAppBotStack(app, deployConfig.stackName, {
    config: deployConfig,
    repoRoot,
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  return Template.fromStack(stack);
}

function botContainer(template: Template) {
  const definitions = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  const containers = definitions.flatMap(
    (definition) => definition.Properties.ContainerDefinitions as Record<string, unknown>[],
  );
  const bot = containers.find((container) => container.Name === 'bot');
  if (!bot) throw new Error('no bot container in the template');
  return bot as {
    Environment: { Name: string; Value: unknown }[];
    Secrets: { Name: string; ValueFrom: unknown }[];
    HealthCheck: { Command: string[] };
    Image: unknown;
  };
}

describe('the default deployment: a new VPC, Socket Mode, the bot built from the Dockerfile', () => {
  const template = synth(config());

  it('creates a cluster with the FARGATE and FARGATE_SPOT capacity providers', () => {
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']),
    });
  });

  it('runs one bot, never two at once, and rolls a failed deployment back', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 1,
      DeploymentConfiguration: {
        MinimumHealthyPercent: 0,
        MaximumPercent: 100,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
    });
  });

  it("checks the bot's health on /healthz", () => {
    expect(botContainer(template).HealthCheck.Command.join(' ')).toContain('/healthz');
  });

  it('passes every token as an ECS secret from Secrets Manager, none as a plain value', () => {
    const bot = botContainer(template);
    expect(bot.Secrets.map((secret) => secret.Name).sort()).toEqual([
      'GITLAB_TOKEN',
      'SLACK_APP_TOKEN',
      'SLACK_BOT_TOKEN',
    ]);
    for (const secret of bot.Secrets) expect(secret.ValueFrom).toBe(`${TOKENS}:${secret.Name}::`);
    expect(
      bot.Environment.map((variable) => variable.Name).filter((name) => /TOKEN|SECRET/.test(name)),
    ).toEqual([]);
    expect(template.findParameters('*', { NoEcho: false })).not.toHaveProperty('SlackBotToken');
  });

  it('gives the bot what it needs to find its cluster, base definition and network', () => {
    const names = botContainer(template).Environment.map((variable) => variable.Name);
    expect(names).toEqual(
      expect.arrayContaining([
        'GITLAB_URL',
        'GITLAB_PROJECT',
        'ECS_CLUSTER',
        'ECS_TASK_DEFINITION',
        'ECS_CONTAINER',
        'ECS_SUBNETS',
        'ECS_SECURITY_GROUPS',
        'ECS_ASSIGN_PUBLIC_IP',
      ]),
    );
  });

  it('builds the bot image from the Dockerfile as an image asset', () => {
    expect(JSON.stringify(botContainer(template).Image)).toContain(
      'cdk-hnb659fds-container-assets',
    );
  });

  it('keeps logs for the configured retention, the review apps logging with awslogs', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 14 }, 2);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'app',
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
        }),
      ],
    });
  });

  it("gives the bot's task role exactly the documented IAM policy", () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Sid?: string }[]).some(
        (statement) => statement.Sid,
      ),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0]?.Properties.PolicyDocument.Statement as {
      Sid: string;
      Action: unknown;
      Resource: unknown;
    }[];
    // Without a load balancer, its statements are left out.
    const documented = documentedPolicy().Statement.filter(
      ({ Sid }) => !Sid.startsWith('LoadBalancer'),
    );
    expect(documented.length).toBeLessThan(documentedPolicy().Statement.length);
    expect(statements.map(({ Sid, Action }) => ({ Sid, Action }))).toEqual(
      documented.map(({ Sid, Action }) => ({ Sid, Action })),
    );
    // The example account and names are gone; the stack's own stand in their place.
    const text = JSON.stringify(statements);
    for (const example of ['123456789012', 'us-east-1', 'shop-web', 'cluster/review-apps']) {
      expect(text).not.toContain(example);
    }
  });

  it('tags what it creates with the stack, so an operator finds it all', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      Tags: Match.arrayWith([{ Key: 'review-app:stack', Value: 'ReviewAppBot' }]),
    });
  });

  it('lets anyone reach a review app on its port when there is no load balancer', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Review apps'),
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 3000, ToPort: 3000 }),
      ],
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
  });
});

describe('an existing VPC, a given bot image, Fargate Spot', () => {
  const template = synth(
    config({
      vpc: {
        id: 'vpc-0a1b2c3d4e5f60718',
        subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
      },
      botImage: 'registry.example.com/acme/review-app-bot:1.2.0',
      spot: true,
    }),
  );

  it('creates no VPC and runs the apps in the given subnets on Spot', () => {
    template.resourceCountIs('AWS::EC2::VPC', 0);
    const env = Object.fromEntries(
      botContainer(template).Environment.map((variable) => [variable.Name, variable.Value]),
    );
    expect(env.ECS_SUBNETS).toBe('subnet-0123456789abcdef0,subnet-0fedcba9876543210');
    expect(env.ECS_ASSIGN_PUBLIC_IP).toBe('false');
    expect(env.ECS_CAPACITY_PROVIDER).toBe('FARGATE_SPOT');
    expect(botContainer(template).Image).toBe('registry.example.com/acme/review-app-bot:1.2.0');
  });
});

describe('HTTPS names through a load balancer, the bot in HTTP mode', () => {
  const template = synth(
    config({
      slackMode: 'http',
      loadBalancer: {
        domain: 'review.example.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        hostedZoneName: 'example.com',
      },
    }),
  );

  it('holds a wildcard certificate on an HTTPS listener that answers a plain 404 by default', () => {
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: '*.review.example.com',
      ValidationMethod: 'DNS',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      DefaultActions: [
        Match.objectLike({
          Type: 'fixed-response',
          FixedResponseConfig: Match.objectLike({ StatusCode: '404' }),
        }),
      ],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: '*.review.example.com.',
      Type: 'A',
    });
  });

  it("adds the documented load balancer statements, scoped to this stack's listener", () => {
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((resource) =>
      (resource.Properties.PolicyDocument.Statement as { Sid?: string }[]).some(
        (statement) => statement.Sid,
      ),
    );
    const statements = policy?.Properties.PolicyDocument.Statement as { Sid: string }[];
    expect(statements.map(({ Sid }) => Sid)).toEqual(
      documentedPolicy().Statement.map(({ Sid }) => Sid),
    );
    const text = JSON.stringify(statements);
    expect(text).not.toContain('0123456789abcdef');
    expect(text).toContain(':listener-rule/');
    const env = Object.fromEntries(
      botContainer(template).Environment.map((v) => [v.Name, v.Value]),
    );
    expect(env.REVIEW_APP_DOMAIN).toBe('review.example.com');
    expect(env.LOAD_BALANCER_LISTENER_ARN).toEqual({
      Ref: expect.stringMatching(/^LoadBalancerHttps/),
    });
  });

  it('admits the app port from the load balancer only', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 3000,
      SourceSecurityGroupId: Match.anyValue(),
      Description: 'From the load balancer',
    });
    template.resourcePropertiesCountIs(
      'AWS::EC2::SecurityGroup',
      {
        SecurityGroupIngress: Match.arrayWith([
          Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 3000 }),
        ]),
      },
      0,
    );
  });

  it("serves Slack's requests at the bot's own name, with the signing secret as a secret", () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 1,
      Conditions: [
        {
          Field: 'host-header',
          HostHeaderConfig: { Values: ['review-app-bot.review.example.com'] },
        },
      ],
    });
    template.hasOutput('SlackRequestUrl', {
      Value: 'https://review-app-bot.review.example.com/slack/events',
    });
    expect(botContainer(template).Secrets.map((secret) => secret.Name)).toContain(
      'SLACK_SIGNING_SECRET',
    );
  });
});

describe('the deployment configuration', () => {
  it('reports every problem at once, naming the key', () => {
    expect(() =>
      parseDeployConfig({
        tokensSecretArn: 'review-app-bot/tokens',
        app: { image: 'shop', port: 70000 },
        settings: { GITLAB_TOKEN: 'glpat-123', ECS_CLUSTER: 'other' },
        slackMode: 'http',
      }),
    ).toThrowError(/gitlab[\s\S]*tokensSecretArn[\s\S]*app\.port/);
    const problems = () =>
      parseDeployConfig({
        ...config(),
        settings: { GITLAB_TOKEN: 'x', ECS_CLUSTER: 'y' },
        slackMode: 'http',
      });
    expect(problems).toThrowError(/settings\.GITLAB_TOKEN: a secret belongs in the tokens secret/);
    expect(problems).toThrowError(/settings\.ECS_CLUSTER: the stack sets this itself/);
    expect(problems).toThrowError(/slackMode: "http" needs loadBalancer/);
  });

  it('refuses a key it does not know, so a typo is not ignored', () => {
    expect(() => parseDeployConfig({ ...config(), spott: true })).toThrowError(/spott/);
  });
});
