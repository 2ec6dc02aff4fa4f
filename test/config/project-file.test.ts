import { describe, expect, it } from 'vitest';
import { ProjectFileError, parseProjectFile } from '../../src/config/project-file.js';

const FILE = 'review-apps.yml';

function problems(text: string): string[] {
  try {
    parseProjectFile(text, FILE);
  } catch (error) {
    if (error instanceof ProjectFileError) return error.problems;
    throw error;
  }
  throw new Error('the file was accepted');
}

describe('review-apps.yml', () => {
  it('gives each project the environment, the defaults and its own settings, in that order', () => {
    const projects = parseProjectFile(
      [
        'defaults:              # any setting, as in the environment',
        '  ECS_CLUSTER: review-apps',
        '  REVIEW_APP_TTL: 45m',
        'projects:',
        '  acme/shop:',
        '    channels: [C0SHOP, C0REVIEWS]',
        '    ECS_TASK_DEFINITION: shop-web',
        '  acme/api:',
        '    channels: [C0API, C0REVIEWS]',
        '    ECS_TASK_DEFINITION: api-web',
        '    REVIEW_APP_TTL: 1h',
        '    ECS_SUBNETS: [subnet-0123456789abcdef0, subnet-0fedcba9876543210]',
        '    ECS_ASSIGN_PUBLIC_IP: true',
      ].join('\n'),
      FILE,
      { AWS_REGION: 'eu-west-1', ECS_CLUSTER: 'from-env', GITLAB_TOKEN: 'kept-in-env' },
    );
    expect(projects.map((project) => project.path)).toEqual(['acme/shop', 'acme/api']);
    expect(projects[0]).toMatchObject({
      channels: ['C0SHOP', 'C0REVIEWS'],
      line: 5,
      env: {
        AWS_REGION: 'eu-west-1',
        GITLAB_TOKEN: 'kept-in-env',
        ECS_CLUSTER: 'review-apps',
        REVIEW_APP_TTL: '45m',
        ECS_TASK_DEFINITION: 'shop-web',
        GITLAB_PROJECT: 'acme/shop',
      },
    });
    expect(projects[1]?.env).toMatchObject({
      REVIEW_APP_TTL: '1h',
      ECS_SUBNETS: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
      ECS_ASSIGN_PUBLIC_IP: 'true',
    });
    expect(projects[1]?.lines.REVIEW_APP_TTL).toBe(11);
  });

  it('reports every problem at once, each with its line, project and key', () => {
    expect(
      problems(
        [
          'defaults:',
          '  ECS_CLUSTR: review-apps',
          'projects:',
          '  acme/shop:',
          '    channels: [shop-channel]',
          '    ECS_TASK_DEFINITON: shop-web',
          '    AWS_REGION: eu-west-1',
          '  acme/api:',
          '    GITLAB_TOKEN: glpat-abcdefghijklmnopqrst',
          '    REGISTRY_REPOSITORY: xoxb-123-456',
          '  not a path:',
          '    ECS_TASK_DEFINITION: web',
          'project: {}',
        ].join('\n'),
      ),
    ).toEqual([
      'line 2: defaults.ECS_CLUSTR: unknown setting (did you mean ECS_CLUSTER?)',
      'line 5: projects.acme/shop.channels: "shop-channel" is not a channel id: use the id (C0123456789, from the channel\'s details), not its name',
      'line 6: projects.acme/shop.ECS_TASK_DEFINITON: unknown setting (did you mean ECS_TASK_DEFINITION?)',
      'line 7: projects.acme/shop.AWS_REGION: is shared by every project: set it under defaults or in the environment',
      'line 9: projects.acme/api.GITLAB_TOKEN: is a secret, which never belongs in the file: set it in the environment',
      'line 10: projects.acme/api.REGISTRY_REPOSITORY: looks like a token, which never belongs in the file: set tokens in the environment',
      'line 11: projects: "not a path" is not a GitLab project path such as acme/shop',
      'line 13: project: unknown key; the file has `defaults` and `projects`',
    ]);
  });

  it('never repeats a token it refuses', () => {
    const text = problems(
      'projects:\n  acme/shop:\n    IMAGE_TEMPLATE: xapp-1-A0-secretvalue\n',
    ).join('\n');
    expect(text).toContain('looks like a token');
    expect(text).not.toContain('secretvalue');
  });

  it('names YAML mistakes by line, and a project listed twice', () => {
    expect(problems('projects:\n  acme/shop:\n    ECS_TASK_DEFINITION: [unclosed\n')[0]).toMatch(
      /^line \d+: /,
    );
    expect(problems('projects:\n  acme/shop: {}\n  Acme/Shop: {}\n')).toEqual([
      'line 3: projects.Acme/Shop: is listed twice',
    ]);
    expect(problems('defaults:\n  ECS_CLUSTER: x\n')).toEqual([
      'line 1: projects: is required: the projects the bot serves, by GitLab path',
    ]);
  });
});
