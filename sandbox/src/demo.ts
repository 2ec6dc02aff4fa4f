/**
 * The demo project that the sandbox and the tests seed the stand-ins with:
 * one GitLab project with a container registry, and the Fargate task
 * definition its platform engineer registered.
 */
export const DEMO_PROJECT = { id: 7, path: 'acme/shop' } as const;
export const DEMO_REGISTRY_ID = 1;
export const DEMO_CLUSTER = 'review-apps';
export const DEMO_SUBNET = 'subnet-0123456789abcdef0';
export const DEMO_SECURITY_GROUP = 'sg-0123456789abcdef0';

/** The base task definition (a fresh copy each call, since stand-ins keep what they are given). */
export function demoTaskDefinition() {
  return {
    family: 'shop-web',
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
    containerDefinitions: [
      {
        name: 'web',
        image: 'registry.example.test/acme/shop:main',
        portMappings: [{ containerPort: 3000 }],
        essential: true,
        command: ['node', 'server.js'],
      },
    ],
    tags: [{ key: 'team', value: 'shop' }],
  };
}

/**
 * The demo definition logging to CloudWatch through the awslogs driver, as the ECS console sets it
 * up. The sandbox registers it as its base definition (family `shop-web`), so that
 * `/review-app logs 1` and a crash's last lines can be tried there.
 */
export function demoLoggingTaskDefinition(family = 'shop-web-logged') {
  const base = demoTaskDefinition();
  return {
    ...base,
    family,
    containerDefinitions: base.containerDefinitions.map((c) => ({
      ...c,
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '/ecs/shop-web',
          'awslogs-region': 'us-east-1',
          'awslogs-stream-prefix': 'ecs',
        },
      },
    })),
  };
}
