/**
 * The demo project that the sandbox and the tests seed the stand-ins with:
 * one GitLab project with a container registry, and the Fargate task
 * definition its platform engineer registered.
 */
export const DEMO_PROJECT = { id: 7, path: 'acme/shop' } as const;
export const DEMO_REGISTRY_ID = 1;
/** The sandbox's second project: one bot serves both (review-apps.yml, docs/operating.md). */
export const DEMO_API_PROJECT = { id: 8, path: 'acme/api' } as const;
export const DEMO_API_REGISTRY_ID = 2;
export const DEMO_CLUSTER = 'review-apps';
export const DEMO_SUBNET = 'subnet-0123456789abcdef0';
export const DEMO_SECURITY_GROUP = 'sg-0123456789abcdef0';

/** The base task definition (a fresh copy each call, since stand-ins keep what they are given). */
export function demoTaskDefinition(family = 'shop-web', project = 'shop') {
  return {
    family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
    containerDefinitions: [
      {
        name: 'web',
        image: `registry.example.test/acme/${project}:main`,
        portMappings: [{ containerPort: 3000 }],
        essential: true,
        command: ['node', 'server.js'],
      },
    ],
    tags: [{ key: 'team', value: project }],
  };
}

/**
 * The demo definition logging to CloudWatch through the awslogs driver, as the ECS console sets it
 * up. The sandbox registers it as its base definition (family `shop-web`), so that
 * `/review-app logs 1` and a crash's last lines can be tried there.
 */
export function demoLoggingTaskDefinition(family = 'shop-web-logged', base = demoTaskDefinition()) {
  return {
    ...base,
    family,
    containerDefinitions: base.containerDefinitions.map((c) => ({
      ...c,
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': `/ecs/${base.family}`,
          'awslogs-region': 'us-east-1',
          'awslogs-stream-prefix': 'ecs',
        },
      },
    })),
  };
}

/** The second project's definition (family `api-web`), logging as the first does. */
export function demoApiTaskDefinition() {
  const base = demoTaskDefinition('api-web', 'api');
  return demoLoggingTaskDefinition(base.family, base);
}
