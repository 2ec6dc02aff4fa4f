import type { EC2Client } from './sdk/ec2.js';
import { ECSClient } from './sdk/ecs.js';
import type { CloudWatchLogsClient } from './sdk/logs.js';

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
  /**
   * CloudWatch Logs, read only when someone asks for an app's output: loaded on first
   * use too. One client per region: a log group may live in another region than the
   * cluster (`awslogs-region`); without one, the configured region.
   */
  logs(
    region?: string,
  ): Promise<{ client: CloudWatchLogsClient; sdk: typeof import('./sdk/logs.js') }>;
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const common = {
    // Throttling is retried with backoff by the SDK; a few more attempts ride out bursts.
    maxAttempts: 5,
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const { ecs, ec2, logs } = options.endpoints ?? {};
  let loaded: ReturnType<AwsClients['ec2']> | undefined;
  const logsClients = new Map<string, ReturnType<AwsClients['logs']>>();
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
    logs(region = options.region ?? '') {
      let client = logsClients.get(region);
      if (!client) {
        client = import('./sdk/logs.js').then((sdk) => ({
          sdk,
          client: new sdk.CloudWatchLogsClient({
            ...common,
            // Someone waits for these lines: a few attempts, not the watcher's patience.
            maxAttempts: 3,
            ...(region ? { region } : {}),
            ...(logs ? { endpoint: logs } : {}),
          }),
        }));
        logsClients.set(region, client);
        client.catch(() => logsClients.delete(region));
      }
      return client;
    },
  };
}
