import type { EC2Client } from './sdk/ec2.js';
import { ECSClient } from './sdk/ecs.js';

export interface AwsClientOptions {
  /** For tests and the sandbox; otherwise the SDK reads AWS_ENDPOINT_URL and AWS_REGION itself. */
  endpoints?: { ecs?: string; ec2?: string; logs?: string };
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface AwsClients {
  ecs: ECSClient;
  /**
   * EC2 is used for one call (a task's public IP) and its SDK package costs
   * hundreds of milliseconds and tens of MiB to load: it is loaded on first use.
   */
  ec2(): Promise<{ client: EC2Client; sdk: typeof import('./sdk/ec2.js') }>;
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const common = {
    // Throttling is retried with backoff by the SDK; a few more attempts ride out bursts.
    maxAttempts: 5,
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const { ecs, ec2 } = options.endpoints ?? {};
  let loaded: ReturnType<AwsClients['ec2']> | undefined;
  return {
    ecs: new ECSClient({ ...common, ...(ecs ? { endpoint: ecs } : {}) }),
    ec2() {
      loaded ??= import('./sdk/ec2.js').then((sdk) => ({
        sdk,
        client: new sdk.EC2Client({ ...common, ...(ec2 ? { endpoint: ec2 } : {}) }),
      }));
      // A failed load (a broken install) is tried again next time rather than remembered.
      loaded.catch(() => {
        loaded = undefined;
      });
      return loaded;
    },
  };
}
