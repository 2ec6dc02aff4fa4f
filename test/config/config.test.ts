import { describe, expect, it } from 'vitest';
import { ConfigError, loadBotConfig, loadConfig } from '../../src/config/config.js';

const minimal = {
  GITLAB_TOKEN: 'glpat-secret-value',
  GITLAB_PROJECT: 'acme/shop',
  ECS_CLUSTER: 'review-apps',
  ECS_TASK_DEFINITION: 'shop-web',
  ECS_SUBNETS: 'subnet-0123456789abcdef0, subnet-1a2b3c4d',
  AWS_REGION: 'eu-west-1',
};

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('fills the documented defaults', () => {
    const config = loadConfig(minimal);
    expect(config.gitlab.url).toBe('https://gitlab.com');
    expect(config.engine.image.tagTemplate).toBe('{sha},{pipeline_sha}');
    expect(config.ecs.subnets).toEqual(['subnet-0123456789abcdef0', 'subnet-1a2b3c4d']);
    expect(config.ecs.capacityProvider).toBe('FARGATE');
    expect(config.engine.lifetime).toMatchObject({
      ttlMs: 30 * 60_000,
      maxLifetimeMs: 2 * 3_600_000,
    });
    expect(config.ecs.guard).toMatchObject({ mode: 'container', maxLifetimeMs: 2 * 3_600_000 });
    expect(config.engine.limits).toEqual({ maxRunning: 10, maxPerUser: 3 });
  });

  it('reports every problem at once, by variable name, with what is expected', () => {
    const found = problems(() =>
      loadConfig({
        GITLAB_URL: 'not a url',
        ECS_SUBNETS: '',
        REVIEW_APP_TTL: 'soon',
        ECS_CAPACITY_PROVIDER: 'EC2',
        IMAGE_TAG_TEMPLATE: '{commit}',
        MAX_RUNNING_APPS: 'many',
      }),
    );
    const text = found.join('\n');
    for (const name of [
      'GITLAB_URL must be a URL',
      'GITLAB_TOKEN is required',
      'GITLAB_PROJECT is required',
      'ECS_CLUSTER is required',
      'ECS_TASK_DEFINITION is required',
      'ECS_SUBNETS is required',
      'REVIEW_APP_TTL must be a duration',
      'ECS_CAPACITY_PROVIDER must be FARGATE or FARGATE_SPOT',
      'IMAGE_TAG_TEMPLATE has unknown placeholder {commit}',
      'MAX_RUNNING_APPS must be a whole number',
      'AWS_REGION is required',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('turns the GitLab writes on only when asked, and names a flag that is not true or false', () => {
    expect(loadConfig(minimal).gitlab).toMatchObject({ environments: false, mrNotes: false });
    expect(loadConfig({ ...minimal, GITLAB_MR_NOTES: 'yes' }).gitlab.mrNotes).toBe(true);
    expect(problems(() => loadConfig({ ...minimal, GITLAB_MR_NOTES: 'sometimes' }))).toEqual([
      expect.stringContaining('GITLAB_MR_NOTES must be true or false'),
    ]);
  });

  it('treats empty optional variables as unset, as .env files write them', () => {
    const config = loadConfig({
      ...minimal,
      IMAGE_TEMPLATE: '',
      REGISTRY_REPOSITORY: ' ',
      ECS_CONTAINER: '',
    });
    expect(config.engine.image.imageTemplate).toBeUndefined();
    expect(config.engine.image.registryRepository).toBeUndefined();
    expect(config.ecs.container).toBeUndefined();
  });

  it('takes the region from AWS_DEFAULT_REGION as the SDK does', () => {
    const { AWS_REGION: _, ...rest } = minimal;
    expect(() => loadConfig({ ...rest, AWS_DEFAULT_REGION: 'us-east-2' })).not.toThrow();
    expect(problems(() => loadConfig(rest)).join('\n')).toMatch(/^AWS_REGION is required/m);
  });

  it('refuses values that cannot work, with words that fit, every one at once with cross-field ones', () => {
    const found = problems(() =>
      loadConfig({
        ...minimal,
        REVIEW_APP_TTL: '3h',
        MAX_RUNNING_APPS: '0',
        MAX_APPS_PER_USER: '-2',
        FARGATE_SPOT_DISCOUNT: '70',
        ECS_SUBNETS: 'subnet-0123456789abcdef0, subnet-abc, vpc-1a2b3c4d',
        ECS_SECURITY_GROUPS: 'sg-1a2b3c4d, default',
        ECS_TASK_DEFINITION: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-web:7',
        ECS_TASK_FAMILY: 'shop-web',
        AWS_REGION: 'eu-west-1a',
        REVIEW_APP_PORT: '0',
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        'REVIEW_APP_TTL must not be longer than REVIEW_APP_MAX_LIFETIME',
        'MAX_RUNNING_APPS must be a whole number of 1 or more',
        'MAX_APPS_PER_USER must be a whole number of 1 or more',
        'FARGATE_SPOT_DISCOUNT must be a fraction from 0 to 1, such as 0.7 for 70% off',
        'ECS_SUBNETS has ids that are not subnet ids (subnet- and 8 or 17 hexadecimal digits, such as subnet-0123456789abcdef0): subnet-abc, vpc-1a2b3c4d',
        'ECS_SECURITY_GROUPS has an id that is not a security group id (sg- and 8 or 17 hexadecimal digits, such as sg-0123456789abcdef0): default',
        expect.stringMatching(/^ECS_TASK_FAMILY must differ from the base family shop-web/),
        'AWS_REGION must be a region name such as eu-west-1 (not an availability zone such as eu-west-1a)',
        'REVIEW_APP_PORT must be a port number from 1 to 65535',
      ]),
    );
    expect(found).toHaveLength(9);
  });

  it('accepts the region names AWS uses, and a review family of its own', () => {
    for (const region of [
      'us-east-1',
      'ap-southeast-2',
      'us-gov-west-1',
      'cn-north-1',
      'il-central-1',
    ]) {
      expect(() => loadConfig({ ...minimal, AWS_REGION: region })).not.toThrow();
    }
    expect(
      loadConfig({
        ...minimal,
        ECS_TASK_DEFINITION: 'shop-web:3',
        ECS_TASK_FAMILY: 'shop-web-previews',
      }).ecs.family,
    ).toBe('shop-web-previews');
  });

  it('refuses a TTL longer than the hard cap', () => {
    expect(problems(() => loadConfig({ ...minimal, REVIEW_APP_TTL: '3h' }))).toEqual([
      'REVIEW_APP_TTL must not be longer than REVIEW_APP_MAX_LIFETIME',
    ]);
  });

  it('never echoes secret values in its errors', () => {
    const error = problems(() =>
      loadBotConfig({
        ...minimal,
        SLACK_BOT_TOKEN: 'xoxp-user-token-secret',
        GITLAB_URL: 'glpat-oops',
      }),
    ).join('\n');
    expect(error).toContain('SLACK_BOT_TOKEN is a user token (xoxp-...)');
    expect(error).toContain('SLACK_SIGNING_SECRET is required in HTTP mode');
    expect(error).not.toContain('xoxp-user-token-secret');
    expect(error).not.toContain('glpat');
  });

  it('checks the bot token and API URL the same way for the CLI’s notices as for the bot, and only when the CLI posts', () => {
    const slack = { SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_API_URL: 'slack.example' };
    expect(problems(() => loadConfig({ ...minimal, ...slack, SLACK_CLI_CHANNEL: 'C1' }))).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN is a user token \(xoxp-\.\.\.\)/),
      'SLACK_API_URL must be a URL',
    ]);
    expect(
      problems(() => loadBotConfig({ ...minimal, ...slack, SLACK_APP_TOKEN: 'xapp-1' })),
    ).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN is a user token \(xoxp-\.\.\.\)/),
      'SLACK_API_URL must be a URL',
    ]);
    // Without SLACK_CLI_CHANNEL the CLI posts nothing: a CI job's token for another tool is no concern.
    expect(loadConfig({ ...minimal, ...slack }).cliNotice).toBeUndefined();
  });

  it('chooses Socket Mode without a signing secret when an app token is set', () => {
    const { slack } = loadBotConfig({
      ...minimal,
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
    });
    expect(slack.appToken).toBe('xapp-1');
    expect(slack.port).toBe(3000);
  });

  it('reports rules between variables in the same run as the missing settings, not after them', () => {
    const found = problems(() =>
      loadBotConfig({
        REVIEW_APP_TTL: '3h',
        ECS_TASK_DEFINITION: 'shop-web:4',
        ECS_TASK_FAMILY: 'shop-web',
      }),
    );
    expect(found).toEqual([
      'SLACK_BOT_TOKEN is required: the Bot User OAuth Token (xoxb-...) from OAuth & Permissions',
      'SLACK_SIGNING_SECRET is required in HTTP mode (from Basic Information); or set SLACK_APP_TOKEN (xapp-...) for Socket Mode',
      'GITLAB_TOKEN is required: a GitLab token with the read_api and read_registry scopes',
      'GITLAB_PROJECT is required: the project id or path, e.g. 1234 or acme/shop',
      'AWS_REGION is required: the AWS region of the cluster, e.g. eu-west-1 (or AWS_DEFAULT_REGION)',
      'ECS_CLUSTER is required: the ECS cluster name or ARN',
      'ECS_SUBNETS is required: 1 to 16 comma-separated subnet ids (subnet-...)',
      'REVIEW_APP_TTL must not be longer than REVIEW_APP_MAX_LIFETIME',
      expect.stringMatching(/^ECS_TASK_FAMILY must differ from the base family shop-web of/),
    ]);
    // The CLI reads no Slack settings, and tells the same rules with its own missing ones.
    expect(
      problems(() => loadConfig({ REVIEW_APP_TTL: '3h', REVIEW_APP_MAX_LIFETIME: '1h' })),
    ).toContain('REVIEW_APP_TTL must not be longer than REVIEW_APP_MAX_LIFETIME');
  });

  it('a cap that does not parse leaves the TTL rule unsaid: one problem, the cap’s', () => {
    expect(
      problems(() =>
        loadConfig({ ...minimal, REVIEW_APP_TTL: '3h', REVIEW_APP_MAX_LIFETIME: 'x' }),
      ),
    ).toEqual(['REVIEW_APP_MAX_LIFETIME must be a duration such as 90s, 30m or 2h']);
  });

  it('reads LOG_FORMAT for the bot: json or text, any case, unset by default; anything else is a problem', () => {
    const bot = { ...minimal, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' };
    expect(loadBotConfig(bot).logFormat).toBeUndefined();
    expect(loadBotConfig({ ...bot, LOG_FORMAT: 'Text' }).logFormat).toBe('text');
    expect(problems(() => loadBotConfig({ ...bot, LOG_FORMAT: 'xml' }))).toEqual([
      'LOG_FORMAT must be json or text',
    ]);
  });

  describe('the shared load balancer', () => {
    const listener = {
      LOAD_BALANCER_LISTENER_ARN:
        'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/review-apps/0123456789abcdef/fedcba9876543210',
      REVIEW_APP_DOMAIN: 'review.example.com',
    };

    it('is off without a listener, and its settings come with the others when set', () => {
      expect(loadConfig(minimal).router).toBeUndefined();
      expect(loadConfig({ ...minimal, ...listener }).router).toMatchObject({
        domain: 'review.example.com',
        hostTemplate: 'mr-{mr}.{domain}',
      });
    });

    it('reports its problems with the others, and more running apps than it can hold', () => {
      expect(
        problems(() =>
          loadConfig({
            ...minimal,
            LOAD_BALANCER_LISTENER_ARN: listener.LOAD_BALANCER_LISTENER_ARN,
            MAX_RUNNING_APPS: '101',
            REVIEW_APP_TTL: '3h',
          }),
        ),
      ).toEqual([
        'REVIEW_APP_TTL must not be longer than REVIEW_APP_MAX_LIFETIME',
        'REVIEW_APP_DOMAIN: is required with LOAD_BALANCER_LISTENER_ARN (e.g. review.example.com)',
        'MAX_RUNNING_APPS must be at most 100 with LOAD_BALANCER_LISTENER_ARN: the load balancer holds 100 target groups, one per running app',
      ]);
      expect(() => loadConfig({ ...minimal, MAX_RUNNING_APPS: '101' })).not.toThrow();
    });
  });
});
