import type { LogSource } from '../core/ports.js';
import type { TaskInfo } from '../core/types.js';
import type { AwsClientOptions } from './clients.js';
import { callAws } from './errors.js';
import { DescribeTaskDefinitionCommand, type ECSClient } from './sdk/ecs.js';
import type { CloudWatchLogsClient } from './sdk/logs.js';
import type { EcsSettings } from './settings.js';
import { GUARD_CONTAINER } from './stop-explanation.js';
import { pickAppContainer } from './task-definition.js';

interface AwslogsTarget {
  group: string;
  streamPrefix: string;
  container: string;
  region?: string;
}

/**
 * The app container's recent output, read from CloudWatch Logs when the task
 * definition logs there (the awslogs driver). The Logs client is imported on
 * first use: most rounds never need it, and start-up stays light.
 */
export class CloudWatchTaskLogs implements LogSource {
  /** Per task definition ARN: revisions never change, so each is read once. */
  private readonly targets = new Map<string, Promise<AwslogsTarget | undefined>>();
  private readonly clients = new Map<string, Promise<CloudWatchLogsClient>>();

  constructor(
    private readonly ecs: ECSClient,
    private readonly settings: Pick<EcsSettings, 'container'>,
    private readonly options: AwsClientOptions = {},
  ) {}

  async recentLines(task: TaskInfo, limit: number): Promise<string[] | undefined> {
    const arn = task.taskDefinitionArn;
    if (!arn) return undefined;
    const target = await this.target(arn);
    if (!target) return undefined;
    const taskId = task.arn.split('/').at(-1) ?? '';
    // The awslogs driver's stream for a Fargate task: <prefix>/<container>/<task id>.
    const stream = `${target.streamPrefix}/${target.container}/${taskId}`;
    const client = await this.client(target.region);
    const { GetLogEventsCommand } = await import('./sdk/logs.js');
    try {
      const answer = await callAws('logs:GetLogEvents', () =>
        client.send(
          new GetLogEventsCommand({ logGroupName: target.group, logStreamName: stream, limit }),
        ),
      );
      return (answer.events ?? []).map((event) => (event.message ?? '').replace(/\s+$/, ''));
    } catch (error) {
      // A container that never started wrote nothing: there is no stream to read.
      if (
        (error as { details?: { awsError?: string } }).details?.awsError ===
        'ResourceNotFoundException'
      )
        return [];
      throw error;
    }
  }

  private target(arn: string): Promise<AwslogsTarget | undefined> {
    let found = this.targets.get(arn);
    if (!found) {
      found = this.readTarget(arn).catch((error) => {
        this.targets.delete(arn);
        throw error;
      });
      this.targets.set(arn, found);
    }
    return found;
  }

  private async readTarget(arn: string): Promise<AwslogsTarget | undefined> {
    const answer = await callAws('ecs:DescribeTaskDefinition', () =>
      this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })),
    );
    const definition = answer.taskDefinition;
    if (!definition) return undefined;
    const withoutGuard = {
      ...definition,
      containerDefinitions: (definition.containerDefinitions ?? []).filter(
        (c) => c.name !== GUARD_CONTAINER,
      ),
    };
    const app = pickAppContainer(withoutGuard, this.settings.container);
    const config = app.logConfiguration;
    const group = config?.options?.['awslogs-group'];
    const streamPrefix = config?.options?.['awslogs-stream-prefix'];
    if (config?.logDriver !== 'awslogs' || !group || !streamPrefix || !app.name) return undefined;
    const region = config.options?.['awslogs-region'];
    return { group, streamPrefix, container: app.name, ...(region ? { region } : {}) };
  }

  /** One client per region: the log group may live in another region than the cluster. */
  private client(region = this.options.region ?? ''): Promise<CloudWatchLogsClient> {
    let client = this.clients.get(region);
    if (!client) {
      client = import('./sdk/logs.js').then(
        ({ CloudWatchLogsClient }) =>
          new CloudWatchLogsClient({
            maxAttempts: 3,
            ...(region ? { region } : {}),
            ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
            ...(this.options.endpoints?.logs ? { endpoint: this.options.endpoints.logs } : {}),
          }),
      );
      this.clients.set(region, client);
    }
    return client;
  }
}
