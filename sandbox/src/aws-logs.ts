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
 *   "If you have reached the end of the stream, it returns the same token you
 *   passed in" (GetLogEventsResponse nextForwardToken / nextBackwardToken, AWS
 *   SDK references of the API model, e.g. docs.rs aws-sdk-cloudwatchlogs
 *   GetLogEventsOutput).
 * - Pages are cut by time, so a page can be empty, or short, while more events
 *   lie behind its token: "Partially full or empty pages don't necessarily mean
 *   that pagination is finished" (API_GetLogEvents, quoted in dstackai/dstack
 *   PR 2501; boto/boto3 issue 3718: "pages being split by time", empty pages
 *   for the periods where nothing was logged). `splitPagesEvery` sets the span
 *   of time one page covers; by default a page covers all time.
 * - A token's direction is its own: `b/` reads further back, `f/` further on.
 *   "If you are using a previous nextForwardToken value as the nextToken in
 *   this operation, you must specify true for startFromHead" (GetLogEvents
 *   startFromHead, AWS SDK for Kotlin reference): refused otherwise. A token
 *   the service did not hand out is refused too.
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

/**
 * Where a read stopped: an event index (events are kept in the order written,
 * which is time order) and the edge of the span of time the next page covers.
 */
interface Cursor {
  pos: number;
  at: number;
}

/** 56 digits after the direction, as the service's tokens look (boto/boto3 issue 3718). */
function tokenOf(direction: 'f' | 'b', cursor: Cursor): string {
  return `${direction}/${String(cursor.pos).padStart(20, '0')}${String(Math.max(0, cursor.at)).padStart(36, '0')}`;
}

function cursorOf(token: string): { direction: 'f' | 'b'; cursor: Cursor } {
  const found = /^([fb])\/([0-9]{20})([0-9]{36})$/.exec(token);
  if (!found) throw invalidParameter('The specified nextToken is invalid.');
  return {
    direction: found[1] as 'f' | 'b',
    cursor: { pos: Number(found[2]), at: Number(found[3]) },
  };
}

export class LogStore {
  private readonly groups = new Map<string, Map<string, LogEvent[]>>();
  private pageSpanMs = Number.POSITIVE_INFINITY;

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

  /** How much time one page covers: a read across a quiet stretch then answers empty pages. */
  splitPagesEvery(ms: number): void {
    this.pageSpanMs = ms;
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
    const fromHead = input.startFromHead === true;
    const token = optionalString(input, 'nextToken');
    const given = token === undefined ? undefined : cursorOf(token);
    if (given?.direction === 'f' && !fromHead) {
      throw invalidParameter('startFromHead must be true when nextToken is a forward token.');
    }
    const streams = this.groups.get(group);
    if (!streams) {
      throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    }
    const events = streams.get(stream);
    if (!events) {
      throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
    }
    const forward = given ? given.direction === 'f' : fromHead;
    const start: Cursor = given?.cursor ?? {
      pos: forward ? 0 : events.length,
      at: forward ? (events[0]?.timestamp ?? this.now()) : this.now() + 1,
    };
    const answer = forward
      ? this.forward(events, start, limit)
      : this.backward(events, start, limit);
    // At the end of the stream in the token's direction, the token given comes back.
    if (token && answer.page.length === 0 && answer.ended) {
      const other = tokenOf(forward ? 'b' : 'f', start);
      return forward
        ? { events: [], nextForwardToken: token, nextBackwardToken: other }
        : { events: [], nextForwardToken: other, nextBackwardToken: token };
    }
    return {
      events: answer.page.map((e) => ({ ...e })),
      nextForwardToken: tokenOf('f', answer.forward),
      nextBackwardToken: tokenOf('b', answer.backward),
    };
  }

  /** The newest events before the cursor within one span of time, oldest first. */
  private backward(events: LogEvent[], from: Cursor, limit: number) {
    const span = this.pageSpanMs;
    let low = from.pos;
    while (low > 0 && (events[low - 1] as LogEvent).timestamp >= from.at - span) low--;
    const first = Math.max(low, from.pos - limit);
    const page = events.slice(first, from.pos);
    // A page cut by `limit` leaves the rest of its span for the next read.
    const at = first > low || !Number.isFinite(span) ? from.at : from.at - span;
    return {
      page,
      ended: from.pos === 0,
      backward: { pos: first, at },
      forward: { pos: from.pos, at: from.at },
    };
  }

  /** The oldest events from the cursor on within one span of time. */
  private forward(events: LogEvent[], from: Cursor, limit: number) {
    const span = this.pageSpanMs;
    let high = from.pos;
    while (high < events.length && (events[high] as LogEvent).timestamp < from.at + span) high++;
    const last = Math.min(high, from.pos + limit);
    const page = events.slice(from.pos, last);
    const at = last < high || !Number.isFinite(span) ? from.at : from.at + span;
    return {
      page,
      ended: from.pos >= events.length,
      forward: { pos: last, at },
      backward: { pos: from.pos, at: from.at },
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
