import { DEMO_REGISTRY_ID } from './demo.js';
import { SANDBOX_MERGE_REQUESTS, SANDBOX_PROJECT, type Sandbox, sandboxSha } from './run.js';

/**
 * The side panel's world: the stand-ins' merge requests and ECS tasks as the
 * page shows them, and the things that happen outside Slack (a push, a
 * pipeline ending, a merge, a crash, a failed pull, Slack throttling) so
 * that every path of the bot can be tried by hand.
 */

export interface WorldMergeRequest {
  iid: number;
  title: string;
  branch: string;
  sha: string;
  state: string;
  pipeline: string;
  image: boolean;
}

export interface WorldTask {
  arn: string;
  id: string;
  lastStatus: string;
  desiredStatus: string;
  stopCode?: string;
  stoppedReason?: string;
  image: string;
  publicIp?: string;
  tags: Record<string, string>;
}

export type WorldAction =
  | { action: 'push' | 'finish-pipeline' | 'fail-pipeline' | 'merge' | 'close'; iid: number }
  | { action: 'crash'; arn: string }
  | { action: 'pull-fail' | 'throttle-slack' };

/** The app container of the demo task definition: the one a crash takes down. */
const APP_CONTAINER = 'web';
/** The demo app's last lines before the kernel kills it for its memory (it prints nothing then). */
const CRASH_LINES = [
  'GET /reports/export?year=all 202',
  'Building the export: 212 MiB in use',
  'Building the export: 389 MiB in use',
  'Warning: memory use 497 MiB of the task’s 512 MiB',
];

export class World {
  private readonly pushes = new Map<number, number>();
  private readonly images = new Set<string>();
  private nextPipeline = 2000;

  constructor(private readonly sandbox: Sandbox) {
    for (const mr of SANDBOX_MERGE_REQUESTS) {
      if (mr.image) this.images.add(sandboxSha(mr.branch));
    }
  }

  mergeRequests(): WorldMergeRequest[] {
    return SANDBOX_MERGE_REQUESTS.flatMap((demo) => {
      const mr = this.sandbox.gitlab.mergeRequest(SANDBOX_PROJECT.id, demo.iid);
      if (!mr) return [];
      return [
        {
          iid: mr.iid,
          title: mr.title,
          branch: mr.source_branch,
          sha: mr.sha,
          state: mr.state,
          pipeline: mr.head_pipeline?.status ?? 'none',
          image: this.images.has(mr.sha),
        },
      ];
    });
  }

  tasks(): WorldTask[] {
    const { aws } = this.sandbox;
    return aws.tasks().map((task) => {
      const publicIp = aws.networkInterface(task.taskArn)?.publicIp;
      return {
        arn: task.taskArn,
        id: task.taskArn.split('/').pop() ?? task.taskArn,
        lastStatus: task.lastStatus,
        desiredStatus: task.desiredStatus,
        ...(task.stopCode ? { stopCode: task.stopCode } : {}),
        ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
        image: task.containers.find((c) => c.name === APP_CONTAINER)?.image ?? '',
        ...(publicIp ? { publicIp } : {}),
        tags: Object.fromEntries(task.tags.map((t) => [t.key, t.value])),
      };
    });
  }

  /** Where the app of the task with this public IP answers, when it runs. */
  async appUrl(publicIp: string): Promise<string | undefined> {
    const task = this.tasks().find((t) => t.publicIp === publicIp);
    return task ? this.sandbox.aws.appUrl(task.arn) : undefined;
  }

  /**
   * Makes the change; for those with nothing to see until the bot next acts, a sentence
   * for the page to show, so that whoever clicked knows it took.
   */
  apply(change: WorldAction): string | undefined {
    const { gitlab, aws, slack } = this.sandbox;
    const project = SANDBOX_PROJECT.id;
    switch (change.action) {
      case 'push': {
        const mr = this.mustMergeRequest(change.iid);
        const push = (this.pushes.get(mr.iid) ?? 0) + 1;
        this.pushes.set(mr.iid, push);
        const sha = sandboxSha(mr.branch, push);
        const pipeline = { id: this.nextPipeline++, status: 'running', sha, ref: mr.branch };
        gitlab.addPipeline(project, pipeline);
        gitlab.updateMergeRequest(project, mr.iid, { sha, head_pipeline: pipeline });
        return;
      }
      case 'finish-pipeline':
      case 'fail-pipeline': {
        const mr = this.mustMergeRequest(change.iid);
        const current = gitlab.mergeRequest(project, mr.iid)?.head_pipeline;
        if (!current) return;
        const status = change.action === 'finish-pipeline' ? 'success' : 'failed';
        gitlab.addPipeline(project, { id: current.id, status, sha: mr.sha, ref: mr.branch });
        // CI pushes the image as its last step: only a finished pipeline leaves one.
        if (status === 'success' && !this.images.has(mr.sha)) {
          gitlab.addRegistryTag(project, DEMO_REGISTRY_ID, mr.sha);
          this.images.add(mr.sha);
        }
        return;
      }
      case 'merge':
      case 'close':
        this.mustMergeRequest(change.iid);
        gitlab.updateMergeRequest(project, change.iid, {
          state: change.action === 'merge' ? 'merged' : 'closed',
        });
        return;
      case 'crash': {
        // A stopping task's app has had its SIGTERM: it can no longer run out of memory.
        const task = aws.task(change.arn);
        if (task?.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING') {
          return `Only a running task can crash; this one is ${task?.lastStatus ?? 'gone'}.`;
        }
        // What the demo app printed as its memory ran out, for the crash notice to show.
        aws.containerLog(change.arn, APP_CONTAINER, CRASH_LINES);
        aws.runOutOfMemory(change.arn, APP_CONTAINER);
        return;
      }
      case 'pull-fail':
        aws.setLaunchBehaviour({
          failToStart: {
            stoppedReason:
              'CannotPullContainerError: pull image manifest has been retried 5 time(s): manifest unknown',
          },
        });
        return 'The next task ECS starts will fail to pull its image.';
      case 'throttle-slack':
        // A burst of 429s with Retry-After, as Slack answers a chatty app. The bot waits
        // Retry-After in real seconds, which SANDBOX_SPEED does not shorten: keep them short.
        slack.rateLimit('chat.update', 1, 3);
        slack.rateLimit('chat.postMessage', 1, 2);
        return 'Slack will answer the next 2 chat.postMessage and 3 chat.update calls with 429 (Retry-After: 1).';
    }
  }

  private mustMergeRequest(iid: number): WorldMergeRequest {
    const mr = this.mergeRequests().find((m) => m.iid === iid);
    if (!mr) throw new Error(`no merge request !${iid} in the sandbox`);
    return mr;
  }
}
