import { describe, expect, it } from 'vitest';
import { ConfigError, type Env } from '../../src/config/config.js';
import { loadProjects } from '../../src/config/projects.js';

const ENV: Env = {
  GITLAB_URL: 'https://gitlab.example.com',
  GITLAB_TOKEN: 'glpat-from-the-environment',
  AWS_REGION: 'eu-west-1',
  ECS_CLUSTER: 'review-apps',
  ECS_SUBNETS: 'subnet-0123456789abcdef0',
};

function files(content: Record<string, string>) {
  return (path: string) => {
    const text = content[path];
    if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return text;
  };
}

function problems(env: Env, read = files({})): string[] {
  try {
    loadProjects(env, read);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('the projects a bot serves', () => {
  it('is the one project of the environment when there is no file, as before', () => {
    const projects = loadProjects(
      { ...ENV, GITLAB_PROJECT: 'acme/shop', ECS_TASK_DEFINITION: 'shop-web' },
      files({}),
    );
    expect(projects).toHaveLength(1);
    expect(projects[0]).toMatchObject({
      path: 'acme/shop',
      channels: [],
      ecs: { taskDefinition: 'shop-web' },
    });
  });

  it("gives each project of review-apps.yml its own settings on the environment's", () => {
    const projects = loadProjects(
      { ...ENV, REVIEW_APP_CONFIG: 'review-apps.yml' },
      files({
        'review-apps.yml': [
          'projects:',
          '  acme/shop:',
          '    channels: [C0SHOP]',
          '    ECS_TASK_DEFINITION: shop-web',
          '  acme/api:',
          '    ECS_TASK_DEFINITION: api-web',
          '    REVIEW_APP_TTL: 1h',
        ].join('\n'),
      }),
    );
    expect(
      projects.map((project) => [
        project.path,
        project.ecs.taskDefinition,
        project.engine.lifetime.ttlMs,
      ]),
    ).toEqual([
      ['acme/shop', 'shop-web', 30 * 60_000],
      ['acme/api', 'api-web', 60 * 60_000],
    ]);
    expect(projects[0]?.gitlab).toMatchObject({
      project: 'acme/shop',
      token: 'glpat-from-the-environment',
    });
  });

  it("names the file's line for a value the file set, and where to set one that is missing", () => {
    expect(
      problems(
        { ...ENV, REVIEW_APP_CONFIG: 'review-apps.yml' },
        files({
          'review-apps.yml': [
            'projects:',
            '  acme/shop:',
            '    ECS_TASK_DEFINITION: shop-web',
            '    REVIEW_APP_TTL: soon',
            '  acme/api: {}',
          ].join('\n'),
        }),
      ),
    ).toEqual([
      'review-apps.yml line 4: projects.acme/shop.REVIEW_APP_TTL must be a duration such as 90s, 30m or 2h',
      expect.stringMatching(
        /^review-apps\.yml projects\.acme\/api: ECS_TASK_DEFINITION is required: .* \(set it under the project, under defaults, or in the environment\)$/,
      ),
    ]);
  });

  it('names a missing shared setting once, where it can be set: under defaults or in the environment', () => {
    const { ECS_CLUSTER: _cluster, ...withoutCluster } = ENV;
    expect(
      problems(
        { ...withoutCluster, REVIEW_APP_CONFIG: 'review-apps.yml' },
        files({
          'review-apps.yml': [
            'projects:',
            '  acme/shop:',
            '    ECS_TASK_DEFINITION: shop-web',
            '  acme/api:',
            '    ECS_TASK_DEFINITION: api-web',
          ].join('\n'),
        }),
      ),
    ).toEqual([
      expect.stringMatching(
        /^review-apps\.yml: ECS_CLUSTER is required: .* \(set it under defaults or in the environment\)$/,
      ),
    ]);
  });

  it('says when the file cannot be read, and passes on the problems of the file itself', () => {
    expect(problems({ ...ENV, REVIEW_APP_CONFIG: 'missing.yml' })).toEqual([
      'REVIEW_APP_CONFIG names missing.yml, which cannot be read: there is no such file',
    ]);
    expect(
      problems(
        { ...ENV, REVIEW_APP_CONFIG: 'r.yml' },
        files({ 'r.yml': 'projects:\n  acme/shop:\n    TTL: 1h\n' }),
      ),
    ).toEqual(['r.yml line 3: projects.acme/shop.TTL: unknown setting']);
  });
});

describe('several projects on one load balancer', () => {
  const routed = {
    ...ENV,
    LOAD_BALANCER_LISTENER_ARN:
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/review/50dc6c495c0c9188/f2f7dc8efc522ab2',
    REVIEW_APP_DOMAIN: 'review.example.com',
    REVIEW_APP_CONFIG: 'r.yml',
  };
  const file = (...lines: string[]) =>
    files({
      'r.yml': [
        'projects:',
        '  acme/shop:',
        '    ECS_TASK_DEFINITION: shop-web',
        '  acme/api:',
        '    ECS_TASK_DEFINITION: api-web',
        ...lines,
        '',
      ].join('\n'),
    });

  it('refuses one host name for every project, saying to put {project} in it', () => {
    expect(problems(routed, file())).toEqual([
      "r.yml line 4: projects.acme/api.REVIEW_APP_HOST_TEMPLATE mr-{mr}.{domain} gives its apps the names of acme/shop's: with several projects, put {project} in it (e.g. {project}-mr-{mr}.{domain}, under defaults)",
    ]);
  });

  it('takes {project} under defaults, or a template of each project’s own', () => {
    const withProject = loadProjects(
      { ...routed, REVIEW_APP_HOST_TEMPLATE: '{project}-mr-{mr}.{domain}' },
      file(),
    );
    expect(withProject.map((project) => project.router?.hostTemplate)).toEqual([
      '{project}-mr-{mr}.{domain}',
      '{project}-mr-{mr}.{domain}',
    ]);
    const own = loadProjects(routed, file('    REVIEW_APP_HOST_TEMPLATE: api-{mr}.{domain}'));
    expect(own.map((project) => project.router?.hostTemplate)).toEqual([
      'mr-{mr}.{domain}',
      'api-{mr}.{domain}',
    ]);
  });

  it('refuses two projects whose {project} is the same word (other/shop_ is shop in a name too)', () => {
    const read = files({
      'r.yml': [
        'defaults:',
        '  REVIEW_APP_HOST_TEMPLATE: "{project}-{mr}.{domain}"',
        'projects:',
        '  acme/shop:',
        '    ECS_TASK_DEFINITION: shop-web',
        '  other/shop_:',
        '    ECS_TASK_DEFINITION: other-web',
        '',
      ].join('\n'),
    });
    expect(problems(routed, read)).toEqual([
      'r.yml line 2: projects.other/shop_.REVIEW_APP_HOST_TEMPLATE gives it the names of acme/shop ({project} is "shop" for both): give one of them a template of its own (e.g. shop-2-mr-{mr}.{domain})',
    ]);
  });

  it('refuses MAX_RUNNING_APPS that add up to more than the load balancer’s 100 target groups', () => {
    const read = file('    MAX_RUNNING_APPS: "60"');
    expect(
      problems(
        { ...routed, REVIEW_APP_HOST_TEMPLATE: '{project}-{mr}.{domain}', MAX_RUNNING_APPS: '50' },
        read,
      ),
    ).toEqual([
      'r.yml: MAX_RUNNING_APPS of the projects add up to 110 (acme/shop 50, acme/api 60), more than the 100 target groups the load balancer holds, one per running app: lower them so that they add up to 100 at most',
    ]);
  });
});
