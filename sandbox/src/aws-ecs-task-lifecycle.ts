import { randomBytes } from 'node:crypto';
import type { TaskState } from './aws-ecs-task-types.js';

/** How long ECS waits after SIGTERM before it kills a stopping task's containers. */
const STOP_TIMEOUT_MS = 30_000;
/** How long a stopping task stays DEACTIVATING: with no load balancer to leave, briefly. */
const DEACTIVATING_MS = 1_000;
/** The states a task that was RUNNING passes through on its way to STOPPED. */
const WINDING_DOWN = new Set(['RUNNING', 'DEACTIVATING', 'STOPPING']);

/**
 * How an ECS task moves along, deterministically: each DescribeTasks that
 * includes it advances it one step, a stopping task ends within the stop
 * timeout at the latest, and stopping (by StopTask, by ECS, or by an
 * essential container exiting) ends it the way Fargate reports it.
 * Time comes only from `now()`.
 */
export class TaskLifecycle {
  constructor(
    protected readonly now: () => number,
    /** A task reaches RUNNING no sooner than this long after RunTask. */
    private readonly startupMs: number,
  ) {}

  /** One DescribeTasks step: PROVISIONING → PENDING → ACTIVATING → RUNNING, or on to STOPPED. */
  advance(task: TaskState): void {
    if (task.lastStatus === 'STOPPED') return;
    if (task.desiredStatus === 'STOPPED') {
      this.finishStop(task, 143);
      return;
    }
    const { behaviour } = task;
    switch (task.lastStatus) {
      case 'PROVISIONING':
        this.toPending(task);
        break;
      case 'PENDING':
        if (behaviour === 'stay-pending') return;
        if (typeof behaviour === 'object') {
          const { stoppedReason, containerReason } = behaviour.failToStart;
          task.stopCode = 'TaskFailedToStart';
          task.stoppedReason = stoppedReason;
          for (const c of task.containers) c.reason = containerReason ?? stoppedReason;
          this.finishStop(task, undefined);
          return;
        }
        task.lastStatus = 'ACTIVATING';
        task.at.pullStoppedAt = this.now();
        task.version += 1;
        break;
      case 'ACTIVATING':
        if (this.now() - (task.at.createdAt ?? 0) < this.startupMs) return;
        this.toRunning(task);
        break;
      default:
        break;
    }
  }

  private toPending(task: TaskState): void {
    const now = this.now();
    task.lastStatus = 'PENDING';
    task.at.connectivityAt = now;
    task.at.pullStartedAt = now;
    if (task.network) task.network.status = 'ATTACHING';
    task.version += 1;
  }

  private toRunning(task: TaskState): void {
    task.lastStatus = 'RUNNING';
    task.at.pullStoppedAt ??= this.now();
    task.at.startedAt = this.now();
    if (task.network) task.network.status = 'ATTACHED';
    for (const c of task.containers) {
      c.lastStatus = 'RUNNING';
      c.runtimeId = `${task.id}-${randomBytes(5).toString('hex')}`;
      c.imageDigest = `sha256:${randomBytes(32).toString('hex')}`;
    }
    task.version += 1;
  }

  /** Jumps straight to RUNNING (test helper). */
  runNow(task: TaskState): void {
    if (task.lastStatus === 'STOPPED' || task.desiredStatus === 'STOPPED') return;
    if (task.lastStatus === 'PROVISIONING') this.toPending(task);
    if (task.lastStatus !== 'RUNNING') this.toRunning(task);
  }

  /** Every running container stops; `exitCode` for those that were running. */
  protected finishStop(task: TaskState, exitCode: number | undefined, at = this.now()): void {
    task.lastStatus = 'STOPPED';
    task.desiredStatus = 'STOPPED';
    task.at.stoppingAt ??= at;
    task.at.stoppedAt = at;
    task.at.executionStoppedAt = at;
    for (const c of task.containers) {
      if (c.lastStatus === 'RUNNING' && exitCode !== undefined) c.exitCode = exitCode;
      c.lastStatus = 'STOPPED';
    }
    if (task.network) task.network.status = 'DELETED';
    task.version += 1;
  }

  /**
   * A stopping task ends by itself, described or not: StopTask sends SIGTERM and, "after a
   * default 30-second timeout", SIGKILL (StopTask, API reference). Without this a task the
   * bot stopped and stopped describing would stay RUNNING in the stand-in for ever. The
   * containers are taken to have ended on SIGTERM (143), as a described stopping task does.
   */
  settleStop(task: TaskState): void {
    const since = task.at.stoppingAt;
    if (task.lastStatus === 'STOPPED' || task.desiredStatus !== 'STOPPED') return;
    if (since === undefined) return;
    const elapsed = this.now() - since;
    if (elapsed >= STOP_TIMEOUT_MS) {
      this.finishStop(task, 143, since + STOP_TIMEOUT_MS);
      return;
    }
    // Until then a task that was running winds down in view: RUNNING → DEACTIVATING → STOPPING
    // (ECS developer guide, "Amazon ECS task lifecycle"; DescribeTasks shows DEACTIVATING after
    // RUNNING, aws/containers-roadmap issue 2012). StopTask's own answer still says RUNNING.
    if (!WINDING_DOWN.has(task.lastStatus)) return;
    const stage = elapsed < DEACTIVATING_MS ? 'DEACTIVATING' : 'STOPPING';
    if (task.lastStatus === stage) return;
    task.lastStatus = stage;
    task.version += 1;
  }

  stop(task: TaskState, stopCode: string, stoppedReason: string): void {
    if (task.lastStatus === 'STOPPED') return;
    task.desiredStatus = 'STOPPED';
    task.stopCode = stopCode;
    task.stoppedReason = stoppedReason;
    task.at.stoppingAt = this.now();
    task.version += 1;
  }

  stopExternally(
    task: TaskState,
    options: { stopCode: string; stoppedReason: string; exitCode?: number },
  ): void {
    if (task.lastStatus === 'STOPPED') return;
    task.stopCode = options.stopCode;
    task.stoppedReason = options.stoppedReason;
    this.finishStop(task, options.exitCode ?? 143);
  }

  exitContainer(
    task: TaskState,
    name: string,
    exitCode: number,
    reason?: string,
    at = this.now(),
  ): void {
    const container = task.containers.find((c) => c.name === name);
    if (!container) throw new Error(`AWS stand-in: task has no container ${name}`);
    if (container.lastStatus !== 'RUNNING') {
      throw new Error(`AWS stand-in: container ${name} is ${container.lastStatus}, not RUNNING`);
    }
    container.lastStatus = 'STOPPED';
    container.exitCode = exitCode;
    if (reason !== undefined) container.reason = reason;
    task.version += 1;
    if (!container.essential) return;
    task.stopCode = 'EssentialContainerExited';
    task.stoppedReason = 'Essential container in task exited';
    this.finishStop(task, 137, at);
  }
}
