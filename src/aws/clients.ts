import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';

export interface AwsClientOptions {
  /** For tests and the sandbox; otherwise the SDK reads AWS_ENDPOINT_URL and AWS_REGION itself. */
  endpoints?: { ecs?: string; ec2?: string };
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface AwsClients {
  ecs: ECSClient;
  ec2: EC2Client;
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const common = {
    // Throttling is retried with backoff by the SDK; a few more attempts ride out bursts.
    maxAttempts: 5,
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const { ecs, ec2 } = options.endpoints ?? {};
  return {
    ecs: new ECSClient({ ...common, ...(ecs ? { endpoint: ecs } : {}) }),
    ec2: new EC2Client({ ...common, ...(ec2 ? { endpoint: ec2 } : {}) }),
  };
}
