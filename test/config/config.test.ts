import { describe, expect, it } from 'vitest';
import { ConfigError, loadBotConfig, loadEngineConfig } from '../../src/config/config.js';

const minimal = {
  GITLAB_TOKEN: 'glpat-secret-value',
  GITLAB_PROJECT: 'acme/shop',
  ECS_CLUSTER: 'review-apps',
  ECS_TASK_DEFINITION: 'shop-web',
  ECS_SUBNETS: 'subnet-a, subnet-b',
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
    const config = loadEngineConfig(minimal);
    expect(config.gitlab.url).toBe('https://gitlab.com');
    expect(config.image.tagTemplate).toBe('{sha}');
    expect(config.ecs.subnets).toEqual(['subnet-a', 'subnet-b']);
    expect(config.ecs.capacityProvider).toBe('FARGATE');
    expect(config.lifetime).toMatchObject({
      ttlMs: 30 * 60_000,
      maxLifetimeMs: 2 * 3_600_000,
      mode: 'container',
    });
    expect(config.limits).toEqual({ maxRunning: 10, maxPerUser: 3 });
  });

  it('reports every problem at once, by variable name, with what is expected', () => {
    const found = problems(() =>
      loadEngineConfig({
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

  it('treats empty optional variables as unset, as .env files write them', () => {
    const config = loadEngineConfig({
      ...minimal,
      IMAGE_TEMPLATE: '',
      REGISTRY_REPOSITORY: ' ',
      ECS_CONTAINER: '',
    });
    expect(config.image.imageTemplate).toBeUndefined();
    expect(config.image.registryRepository).toBeUndefined();
    expect(config.ecs.container).toBeUndefined();
  });

  it('takes the region from AWS_DEFAULT_REGION as the SDK does', () => {
    const { AWS_REGION: _, ...rest } = minimal;
    expect(loadEngineConfig({ ...rest, AWS_DEFAULT_REGION: 'us-east-2' }).aws.region).toBe(
      'us-east-2',
    );
  });

  it('refuses a TTL longer than the hard cap', () => {
    expect(problems(() => loadEngineConfig({ ...minimal, REVIEW_APP_TTL: '3h' }))).toEqual([
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
    expect(error).toContain('SLACK_BOT_TOKEN must be a bot token starting with xoxb-');
    expect(error).toContain('SLACK_SIGNING_SECRET is required in HTTP mode');
    expect(error).not.toContain('xoxp-user-token-secret');
    expect(error).not.toContain('glpat');
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
});
