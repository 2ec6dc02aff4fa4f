import { loadOnce } from '../core/load-once.js';
import type { ACMClient } from './sdk/acm.js';
import type { EC2Client } from './sdk/ec2.js';
import type { ECSClient, EcsOperations } from './sdk/ecs.js';
import type { ElasticLoadBalancingV2Client } from './sdk/elbv2.js';
import type { CloudWatchLogsClient } from './sdk/logs.js';

export interface AwsClientOptions {
  /** For tests and the sandbox; otherwise the SDK reads AWS_ENDPOINT_URL and AWS_REGION itself. */
  endpoints?: { ecs?: string; ec2?: string; logs?: string; elbv2?: string; acm?: string };
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** ECS by operation name, so that its SDK is loaded by the first call, not by start-up. */
export interface EcsApi {
  send<K extends keyof EcsOperations>(
    operation: K,
    input: EcsOperations[K][0],
  ): Promise<EcsOperations[K][1]>;
}

export interface AwsClients {
  /**
   * The ECS client is made on the first call: the bot answers Slack (and
   * `/healthz`) without waiting for the SDK to load, and the first watch round,
   * right after start-up, loads it.
   */
  ecs: EcsApi;
  /**
   * EC2 is used for one call (a task's public IP): loaded on first use, so a bot
   * without public IPs never loads it.
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
  /**
   * Elastic Load Balancing v2, for stable names on a shared load balancer: loaded on
   * first use, so a bot without a load balancer never loads it.
   */
  elbv2(): Promise<{ client: ElasticLoadBalancingV2Client; sdk: typeof import('./sdk/elbv2.js') }>;
  /**
   * AWS Certificate Manager, read only by `review-app doctor` (the load balancer's
   * certificates): loaded on first use, so the bot never loads it.
   */
  acm(): Promise<{ client: ACMClient; sdk: typeof import('./sdk/acm.js') }>;
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const common = {
    // Throttling is retried with backoff by the SDK; a few more attempts ride out bursts.
    maxAttempts: 5,
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const { ecs, ec2, logs, elbv2, acm } = options.endpoints ?? {};
  const ecsClient = loadOnce(() =>
    import('./sdk/ecs.js').then((sdk) => ({
      sdk,
      client: new sdk.ECSClient({ ...common, ...(ecs ? { endpoint: ecs } : {}) }),
    })),
  );
  const ec2Client = loadOnce(() =>
    import('./sdk/ec2.js').then((sdk) => ({
      sdk,
      client: new sdk.EC2Client({ ...common, ...(ec2 ? { endpoint: ec2 } : {}) }),
    })),
  );
  const elbv2Client = loadOnce(() =>
    import('./sdk/elbv2.js').then((sdk) => ({
      sdk,
      client: new sdk.ElasticLoadBalancingV2Client({
        ...common,
        ...(elbv2 ? { endpoint: elbv2 } : {}),
      }),
    })),
  );
  const acmClient = loadOnce(() =>
    import('./sdk/acm.js').then((sdk) => ({
      sdk,
      client: new sdk.ACMClient({ ...common, ...(acm ? { endpoint: acm } : {}) }),
    })),
  );
  const logsClients = new Map<string, () => ReturnType<AwsClients['logs']>>();
  return {
    ecs: {
      async send(operation, input) {
        const { sdk, client } = await ecsClient();
        const Command = sdk[`${operation}Command`] as unknown as new (
          input: unknown,
        ) => Parameters<ECSClient['send']>[0];
        return client.send(new Command(input)) as never;
      },
    },
    ec2: ec2Client,
    elbv2: elbv2Client,
    acm: acmClient,
    logs(region = options.region ?? '') {
      let client = logsClients.get(region);
      if (!client) {
        client = loadOnce(() =>
          import('./sdk/logs.js').then((sdk) => ({
            sdk,
            client: new sdk.CloudWatchLogsClient({
              ...common,
              // Someone waits for these lines: a few attempts, not the watcher's patience.
              maxAttempts: 3,
              ...(region ? { region } : {}),
              ...(logs ? { endpoint: logs } : {}),
            }),
          })),
        );
        logsClients.set(region, client);
      }
      return client();
    },
  };
}
