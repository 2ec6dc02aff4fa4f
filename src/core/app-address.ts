import { fillTemplate, templateValues } from './image-template.js';
import type { Logger } from './logger.js';
import type { EnvironmentTracker, TaskAddress, TaskPlatform } from './ports.js';
import type { EngineSettings } from './settings.js';
import { metaToTags } from './tags.js';
import type { MergeRequest, ReviewApp, TaskInfo } from './types.js';

export interface AppAddressDeps {
  platform: TaskPlatform;
  environments: EnvironmentTracker | undefined;
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
   * its addresses when already read (by `addressesOf`, for many apps at once).
   */
  async withAddress(app: ReviewApp, known?: TaskAddress): Promise<ReviewApp> {
    const { platform, environments, settings, logger } = this.deps;
    const { task, meta } = app;
    const { privateIp, publicIp } = known ?? (await this.addressesOf([task])).get(task.arn) ?? {};
    const ip = publicIp ?? privateIp ?? '';
    const port = settings.port ?? meta.port ?? 80;
    const url = fillTemplate(settings.urlTemplate, {
      ...templateValues({ sha: meta.sha, sourceBranch: meta.branch, iid: meta.mr } as MergeRequest),
      ip,
      public_ip: publicIp ?? '',
      private_ip: privateIp ?? '',
      port: String(port),
    });
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
