import { ReviewAppError } from './errors.js';
import { fillTemplate, templateValues } from './image-template.js';
import type { Logger } from './logger.js';
import type {
  AppRouter,
  EnvironmentTracker,
  RoutedApp,
  TaskAddress,
  TaskPlatform,
} from './ports.js';
import type { EngineSettings } from './settings.js';
import { metaToTags } from './tags.js';
import type { MergeRequest, ReviewApp, TaskInfo } from './types.js';

export interface AppAddressDeps {
  platform: TaskPlatform;
  environments: EnvironmentTracker | undefined;
  /** The shared load balancer: when set, the app's URL is the name it gives. */
  router?: AppRouter | undefined;
  settings: Pick<EngineSettings, 'urlTemplate' | 'port'>;
  logger: Logger;
}

/**
 * Where a running app is reached: its task's addresses, its URL made from the
 * template, remembered in the task's tags and shown as the MR's GitLab environment.
 */
export class AppAddresses {
  constructor(private readonly deps: AppAddressDeps) {}

  /**
   * Work out a running app's URL and remember it in the task's tags; `known`:
   * its addresses when already read (by `addressesOf`, for many apps at once); `routed`:
   * the load balancer's URL for it, when the launch has routed it already.
   */
  async withAddress(app: ReviewApp, known?: TaskAddress, routed?: string): Promise<ReviewApp> {
    const { platform, environments, logger } = this.deps;
    const { task, meta } = app;
    const { privateIp, publicIp } = known ?? (await this.addressesOf([task])).get(task.arn) ?? {};
    const url = routed ?? (await this.urlOf(app, { privateIp, publicIp }));
    // The URL in the tags is a convenience for later readers; a launch does not fail over it.
    await platform
      .tagTask(task.arn, metaToTags({ url }))
      .catch((error) =>
        logger.warn('could not remember the URL in the tags', { task: task.arn, error }),
      );
    // Nor over the environment in GitLab: the app works without it.
    await environments
      ?.show({ mr: meta.mr, url, sha: meta.sha, branch: meta.branch })
      .catch((error) =>
        logger.warn('could not show the app as a GitLab environment', { mr: meta.mr, error }),
      );
    return {
      task,
      meta: { ...meta, url },
      address: {
        url,
        ...(privateIp ? { privateIp } : {}),
        ...(publicIp ? { publicIp } : {}),
      },
    };
  }

  /** The app as the load balancer knows it: its task's private IP and the app's port. */
  routed(app: ReviewApp, privateIp: string | undefined): RoutedApp {
    if (!privateIp) {
      throw new ReviewAppError(
        'AWS_ERROR',
        'ECS gave the task no private IP, so the load balancer cannot reach it. Check that the task definition uses the awsvpc network mode.',
      );
    }
    const { project, mr, port } = app.meta;
    return {
      project,
      mr,
      taskArn: app.task.arn,
      ip: privateIp,
      port: this.deps.settings.port ?? port ?? 80,
    };
  }

  private async urlOf(app: ReviewApp, address: TaskAddress): Promise<string> {
    const { privateIp, publicIp } = address;
    const { router, settings } = this.deps;
    // Routed again: the load balancer's rule and target stay as they are when in place.
    if (router) return (await router.route(this.routed(app, privateIp))).url;
    const { meta } = app;
    return fillTemplate(settings.urlTemplate, {
      ...templateValues({ sha: meta.sha, sourceBranch: meta.branch, iid: meta.mr } as MergeRequest),
      ip: publicIp ?? privateIp ?? '',
      public_ip: publicIp ?? '',
      private_ip: privateIp ?? '',
      port: String(settings.port ?? meta.port ?? 80),
    });
  }

  /**
   * The addresses of running apps' tasks, read together (one EC2 call per
   * hundred rather than one each); private ones serve if the public ones cannot be read.
   */
  async addressesOf(tasks: TaskInfo[]): Promise<Map<string, TaskAddress>> {
    if (tasks.length === 0) return new Map();
    try {
      return await this.deps.platform.addresses(tasks);
    } catch (error) {
      this.deps.logger.warn('could not read the public IPs; showing the private ones', {
        tasks: tasks.length,
        error,
      });
      return new Map(
        tasks.map((task) => [task.arn, task.privateIp ? { privateIp: task.privateIp } : {}]),
      );
    }
  }
}
