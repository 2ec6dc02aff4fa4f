import { DEMO_REGISTRY_ID } from './demo.js';
import { SANDBOX_MERGE_REQUESTS, SANDBOX_PROJECT, type Sandbox, sandboxSha } from './run.js';

/** A project the bot serves in the sandbox, as the side panel shows it. */
export interface WorldProject {
  id: number;
  path: string;
  registryId: number;
  /** The demo MRs it was seeded with, by number. */
  mergeRequests: readonly { iid: number; branch: string; image: boolean }[];
  /** Where it is the default, by channel name. */
  channels: string[];
}

/** The one-project sandbox's project. */
const SHOP: WorldProject = {
  ...SANDBOX_PROJECT,
  registryId: DEMO_REGISTRY_ID,
  mergeRequests: SANDBOX_MERGE_REQUESTS,
  channels: [],
};

/**
 * The side panel's world: the stand-ins' merge requests and ECS tasks as the
 * page shows them, and the things that happen outside Slack (a push, a
 * pipeline ending, a merge, a crash, a failed pull, Slack throttling) so
 * that every path of the bot can be tried by hand.
 */

export interface WorldMergeRequest {
  /** Its project's path (acme/shop). */
  project: string;
  iid: number;
  title: string;
  branch: string;
  sha: string;
  state: string;
  pipeline: string;
  image: boolean;
}

export interface WorldTask {
  /** The project the bot launched it for, from its tags. */
  project: string;
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

/** A change to an MR names its project by path (the first project's when it does not). */
export type WorldAction =
  | {
      action: 'push' | 'finish-pipeline' | 'fail-pipeline' | 'merge' | 'close';
      iid: number;
      project?: string;
    }
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

/** Tag values are quoted-printable-like (`=HH` per byte, `=.` when cut): read them back. */
export function decodeTag(value: string | undefined): string {
  if (value === undefined) return '';
  const body = value.endsWith('=.') ? value.slice(0, -2) : value;
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const hex = body.slice(i + 1, i + 3);
    if (body[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(body[i] as string, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export class World {
  /** Pushes so far, by project path and MR number. */
  private readonly pushes = new Map<string, number>();
  private readonly images = new Set<string>();
  private nextPipeline = 2000;

  constructor(
    private readonly sandbox: Sandbox,
    readonly projects: readonly WorldProject[] = [SHOP],
  ) {
    for (const project of projects) {
      for (const mr of project.mergeRequests) {
        if (mr.image) this.images.add(sandboxSha(mr.branch));
      }
    }
  }

  mergeRequests(): WorldMergeRequest[] {
    return this.projects.flatMap((project) =>
      project.mergeRequests.flatMap((demo) => {
        const mr = this.sandbox.gitlab.mergeRequest(project.id, demo.iid);
        if (!mr) return [];
        return [
          {
            project: project.path,
            iid: mr.iid,
            title: mr.title,
            branch: mr.source_branch,
            sha: mr.sha,
            state: mr.state,
            pipeline: mr.head_pipeline?.status ?? 'none',
            image: this.images.has(mr.sha),
          },
        ];
      }),
    );
  }

  tasks(): WorldTask[] {
    const { aws } = this.sandbox;
    return aws.tasks().map((task) => {
      const publicIp = aws.networkInterface(task.taskArn)?.publicIp;
      const tags = Object.fromEntries(task.tags.map((t) => [t.key, t.value]));
      return {
        project: decodeTag(tags['review-app:project']),
        arn: task.taskArn,
        id: task.taskArn.split('/').pop() ?? task.taskArn,
        lastStatus: task.lastStatus,
        desiredStatus: task.desiredStatus,
        ...(task.stopCode ? { stopCode: task.stopCode } : {}),
        ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
        image: task.containers.find((c) => c.name === APP_CONTAINER)?.image ?? '',
        ...(publicIp ? { publicIp } : {}),
        tags,
      };
    });
  }

  /** Where the app of the running task with this private IP (a load balancer target) answers. */
  async appAt(privateIp: string): Promise<string | undefined> {
    const { aws } = this.sandbox;
    for (const task of aws.tasks()) {
      if (aws.networkInterface(task.taskArn)?.privateIpAddress !== privateIp) continue;
      const url = await aws.appUrl(task.taskArn);
      if (url) return url;
    }
    return undefined;
  }

  /**
   * Makes the change; for those with nothing to see until the bot next acts, a sentence
   * for the page to show, so that whoever clicked knows it took.
   */
  apply(change: WorldAction): string | undefined {
    const { gitlab, aws, slack } = this.sandbox;
    switch (change.action) {
      case 'push': {
        const { project, mr } = this.mustMergeRequest(change);
        const key = `${mr.project}!${mr.iid}`;
        const push = (this.pushes.get(key) ?? 0) + 1;
        this.pushes.set(key, push);
        const sha = sandboxSha(mr.branch, push);
        const pipeline = { id: this.nextPipeline++, status: 'running', sha, ref: mr.branch };
        gitlab.addPipeline(project, pipeline);
        gitlab.updateMergeRequest(project, mr.iid, { sha, head_pipeline: pipeline });
        return;
      }
      case 'finish-pipeline':
      case 'fail-pipeline': {
        const { project, mr } = this.mustMergeRequest(change);
        const current = gitlab.mergeRequest(project, mr.iid)?.head_pipeline;
        if (!current) return;
        const status = change.action === 'finish-pipeline' ? 'success' : 'failed';
        gitlab.addPipeline(project, { id: current.id, status, sha: mr.sha, ref: mr.branch });
        // CI pushes the image as its last step: only a finished pipeline leaves one.
        if (status === 'success' && !this.images.has(mr.sha)) {
          gitlab.addRegistryTag(project, this.projectOf(change.project).registryId, mr.sha);
          this.images.add(mr.sha);
        }
        return;
      }
      case 'merge':
      case 'close': {
        const { project } = this.mustMergeRequest(change);
        gitlab.updateMergeRequest(project, change.iid, {
          state: change.action === 'merge' ? 'merged' : 'closed',
        });
        return;
      }
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

  private projectOf(path: string | undefined): WorldProject {
    const project =
      path === undefined ? this.projects[0] : this.projects.find((p) => p.path === path);
    if (!project) throw new Error(`no project ${path} in the sandbox`);
    return project;
  }

  private mustMergeRequest(change: { iid: number; project?: string }): {
    project: number;
    mr: WorldMergeRequest;
  } {
    const project = this.projectOf(change.project);
    const mr = this.mergeRequests().find((m) => m.project === project.path && m.iid === change.iid);
    if (!mr) throw new Error(`no merge request ${project.path}!${change.iid} in the sandbox`);
    return { project: project.id, mr };
  }
}
