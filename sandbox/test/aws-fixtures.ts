import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient, type RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { type AwsStandIn, startAwsStandIn } from '../src/aws.js';
import { demoTaskDefinition } from '../src/demo.js';

/** A clock the test moves by hand (epoch milliseconds). */
export function manualClock(start = Date.UTC(2026, 10, 27, 12, 0, 0)) {
  let current = start;
  return {
    now: () => current,
    advance: (ms: number) => {
      current += ms;
    },
  };
}

export const clientConfig = (standIn: AwsStandIn) => ({
  endpoint: standIn.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
});

/** The stand-in with the base task definition a platform engineer registered. */
export async function seededAws(now?: () => number, options: { startupMs?: number } = {}) {
  const aws = await startAwsStandIn({ ...(now ? { now } : {}), ...options });
  aws.addTaskDefinition(demoTaskDefinition());
  const ecs = new ECSClient(clientConfig(aws));
  const ec2 = new EC2Client(clientConfig(aws));
  return { aws, ecs, ec2 };
}

export function runInput(overrides: Partial<RunTaskCommandInput> = {}): RunTaskCommandInput {
  return {
    cluster: 'review-apps',
    taskDefinition: 'shop-web',
    launchType: 'FARGATE',
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ['subnet-0123456789abcdef0'],
        securityGroups: ['sg-0123456789abcdef0'],
        assignPublicIp: 'ENABLED',
      },
    },
    startedBy: 'review-app-bot',
    ...overrides,
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { name: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}
