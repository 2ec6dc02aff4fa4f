import {
  AwsError,
  invalidParameter,
  isObject,
  type JsonObject,
  optionalNumber,
  optionalString,
} from './aws-shared.js';

/**
 * CloudWatch Logs as the awslogs driver fills it and GetLogEvents reads it
 * (JSON 1.1, `x-amz-target: Logs_20140328.GetLogEvents`; AWS API reference,
 * API_GetLogEvents). What the stand-in holds to:
 * - The driver names a Fargate task's stream `<awslogs-stream-prefix>/<container
 *   name>/<task id>` (AWS Prescriptive Guidance, "Amazon ECS container logs for
 *   EC2 and Fargate launch types").
 * - Without `startFromHead` (false by default) and without a token, the newest
 *   events are returned, oldest first within the page; `limit` is 1 to 10,000.
 * - Both tokens are always present (`f/...`, `b/...`), also on an empty page.
 * - A missing group or stream is `ResourceNotFoundException` ("The specified
 *   log group does not exist." / "The specified log stream does not exist.").
 */
export const LOGS_TARGET = 'Logs_20140328.';
export const LOGS_OPERATIONS = new Set(['GetLogEvents']);

interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

export class LogStore {
  private readonly groups = new Map<string, Map<string, LogEvent[]>>();

  constructor(private readonly now: () => number) {}

  /** What the awslogs driver would write for one container of a task. */
  write(group: string, stream: string, messages: string[]): void {
    let streams = this.groups.get(group);
    if (!streams) {
      streams = new Map();
      this.groups.set(group, streams);
    }
    const events = streams.get(stream) ?? [];
    const at = this.now();
    for (const message of messages) events.push({ timestamp: at, message, ingestionTime: at });
    streams.set(stream, events);
  }

  handle(operation: string, input: JsonObject): JsonObject {
    if (operation !== 'GetLogEvents') {
      throw new AwsError('UnknownOperationException', `Unsupported: ${operation}`);
    }
    const byName = optionalString(input, 'logGroupName');
    const byIdentifier = optionalString(input, 'logGroupIdentifier');
    // "You must include one of these two parameters, but you can't include both."
    // (GetLogEvents, CloudWatch Logs API reference)
    if (byName && byIdentifier) {
      throw invalidParameter('Specify either logGroupName or logGroupIdentifier, not both.');
    }
    const group = byName ?? byIdentifier;
    const stream = optionalString(input, 'logStreamName');
    if (!group || !stream) {
      throw invalidParameter('logGroupName and logStreamName are required.');
    }
    const limit = optionalNumber(input, 'limit') ?? 10_000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw invalidParameter('limit must be between 1 and 10000.');
    }
    const streams = this.groups.get(group);
    if (!streams) {
      throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    }
    const events = streams.get(stream);
    if (!events) {
      throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
    }
    const fromHead = input.startFromHead === true;
    const page = fromHead ? events.slice(0, limit) : events.slice(-limit);
    const end = fromHead ? page.length : events.length;
    return {
      events: page.map((e) => ({ ...e })),
      nextForwardToken: `f/${String(end).padStart(56, '0')}`,
      nextBackwardToken: `b/${String(end - page.length).padStart(56, '0')}`,
    };
  }
}

/** The group and stream the awslogs driver uses for a container, if it logs to CloudWatch. */
export function awslogsStream(
  container: JsonObject | undefined,
  taskId: string,
): { group: string; stream: string } | undefined {
  const config = container?.logConfiguration;
  if (!isObject(config) || config.logDriver !== 'awslogs' || !isObject(config.options)) {
    return undefined;
  }
  const group = config.options['awslogs-group'];
  const prefix = config.options['awslogs-stream-prefix'];
  if (typeof group !== 'string' || typeof prefix !== 'string') return undefined;
  return { group, stream: `${prefix}/${String(container?.name)}/${taskId}` };
}
