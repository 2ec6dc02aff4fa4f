import type { LogSource } from '../core/ports.js';
import type { TaskInfo } from '../core/types.js';
import type { AwsClients } from './clients.js';
import { callAws } from './errors.js';
import type { EcsSettings } from './settings.js';
import { GUARD_CONTAINER } from './stop-explanation.js';
import { pickAppContainer } from './task-definition.js';

/** How many pages one read follows back: a quiet stretch costs pages, a bound keeps it cheap. */
const MAX_PAGES = 10;

interface AwslogsTarget {
  group: string;
  streamPrefix: string;
  container: string;
  region?: string;
}

/**
 * The app container's recent output, read from CloudWatch Logs when the task
 * definition logs there (the awslogs driver).
 */
export class CloudWatchTaskLogs implements LogSource {
  /** Per task definition ARN: revisions never change, so each is read once. */
  private readonly targets = new Map<string, Promise<AwslogsTarget | undefined>>();

  constructor(
    private readonly clients: Pick<AwsClients, 'ecs' | 'logs'>,
    private readonly settings: Pick<EcsSettings, 'container'>,
  ) {}

  async recentLines(task: TaskInfo, limit: number): Promise<string[] | undefined> {
    const arn = task.taskDefinitionArn;
    if (!arn) return undefined;
    const target = await this.target(arn);
    if (!target) return undefined;
    const taskId = task.arn.split('/').at(-1) ?? '';
    // The awslogs driver's stream for a Fargate task: <prefix>/<container>/<task id>.
    const stream = `${target.streamPrefix}/${target.container}/${taskId}`;
    const { client, sdk } = await this.clients.logs(target.region);
    const lines: string[] = [];
    let token: string | undefined;
    try {
      // CloudWatch cuts pages by time: an empty or short page may still have older
      // events behind its token. The start of the stream hands back the token given.
      for (let page = 0; page < MAX_PAGES && lines.length < limit; page++) {
        const answer = await callAws('logs:GetLogEvents', () =>
          client.send(
            new sdk.GetLogEventsCommand({
              logGroupName: target.group,
              logStreamName: stream,
              limit: limit - lines.length,
              ...(token ? { nextToken: token } : {}),
            }),
          ),
        );
        lines.unshift(
          ...(answer.events ?? []).map((event) => (event.message ?? '').replace(/\s+$/, '')),
        );
        const next = answer.nextBackwardToken;
        if (!next || next === token) break;
        token = next;
      }
      return lines;
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
      this.clients.ecs.send('DescribeTaskDefinition', { taskDefinition: arn }),
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
}
