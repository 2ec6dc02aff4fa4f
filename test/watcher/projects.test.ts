import { describe, expect, it } from 'vitest';
import { ReviewAppFleet } from '../../src/core/fleet.js';
import { silentLogger } from '../../src/core/logger.js';
import type { ReviewApp } from '../../src/core/types.js';
import { type Notifier, Watcher } from '../../src/watcher/watcher.js';
import { seedRunningApps } from '../support/seed.js';
import { startWorld } from '../support/world.js';

/** Which apps were told they ended, as `project!mr`. */
class EndingsNotifier implements Notifier {
  endings: string[] = [];
  async countdown() {
    return 'updated' as const;
  }
  async warn() {
    return undefined;
  }
  async ended(app: ReviewApp) {
    this.endings.push(`${app.meta.project}!${app.meta.mr}`);
    return 0;
  }
  async newCommit() {
    return undefined;
  }
}

const GITLAB_LATENCY_MS = 1_000;

describe('the MR check of a bot serving several projects', () => {
  it('asks GitLab about every project’s MRs at once, not one project after another, and stops each merged app', async () => {
    await using world = await startWorld({ autoAdvance: false });
    const paths = ['acme/shop', 'acme/api', 'acme/web', 'acme/docs'];
    const projects = [];
    for (const [index, path] of paths.entries()) {
      const id = 7 + index;
      if (index > 0) world.gitlab.addProject({ id, path });
      const engine = await seedRunningApps(world, 2, { env: { GITLAB_PROJECT: path } });
      for (const iid of [1, 2]) {
        world.gitlab.addMergeRequest(id, {
          iid,
          title: `MR ${iid}`,
          source_branch: `b${iid}`,
          sha: 'abc',
        });
      }
      // Each project's !2 was merged while its app ran.
      world.gitlab.updateMergeRequest(id, 2, { state: 'merged' });
      projects.push({ path, channels: [], engine });
    }
    const notifier = new EndingsNotifier();
    const watcher = new Watcher({
      fleet: new ReviewAppFleet(projects),
      notifier,
      clock: world.clock,
      logger: silentLogger,
      updatesPerMinute: 30,
    });
    world.gitlab.setLatency(GITLAB_LATENCY_MS);
    const before = world.gitlab.requests.length;

    await watcher.round();

    const reads = world.gitlab.requests
      .slice(before)
      .filter((r) => r.operation === 'GET /projects/:id/merge_requests');
    // /api/v4/projects/acme%2Fshop/merge_requests: one read per project.
    expect(reads.map((r) => decodeURIComponent(r.path.split('/')[4] ?? '')).sort()).toEqual(
      [...paths].sort(),
    );
    // Every read reached GitLab before the first answer came back: the check waits once.
    const arrived = reads.map((r) => r.at);
    expect(Math.max(...arrived) - Math.min(...arrived)).toBeLessThan(GITLAB_LATENCY_MS);
    expect(notifier.endings.sort()).toEqual(paths.map((path) => `${path}!2`).sort());
  }, 20_000);
});
