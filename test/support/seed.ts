import { randomUUID } from 'node:crypto';
import { createAwsClients } from '../../src/aws/clients.js';
import { EcsPlatform } from '../../src/aws/ecs-platform.js';
import { awsOptionsFromEnv, createEngine } from '../../src/compose.js';
import { type Env, loadConfig } from '../../src/config/config.js';
import type { ReviewAppEngine } from '../../src/core/engine.js';
import { silentLogger } from '../../src/core/logger.js';
import { metaToTags } from '../../src/core/tags.js';
import { PROJECT_PATH, type World } from './world.js';

/**
 * `count` running review apps started straight through ECS, each with a Slack
 * status message; without `url`, as if the bot had stopped before reporting them.
 * With `env`, of the project it names (GITLAB_PROJECT), and that project's engine.
 */
export async function seedRunningApps(
  world: World,
  count: number,
  options: { url?: boolean; env?: Env } = {},
): Promise<ReviewAppEngine> {
  const env = { ...world.env, ...options.env };
  const config = loadConfig(env);
  const project = options.env?.GITLAB_PROJECT ?? PROJECT_PATH;
  const platform = new EcsPlatform(createAwsClients(awsOptionsFromEnv(world.env)), config.ecs);
  const definition = await platform.prepareTaskDefinition('registry.example.test/acme/shop:abc');
  const now = world.clock.now();
  for (let mr = 1; mr <= count; mr++) {
    const task = await platform.runTask(definition.arn, {
      image: 'registry.example.test/acme/shop:abc',
      clientToken: randomUUID(),
      tags: metaToTags({
        project,
        mr,
        title: `MR ${mr}`,
        branch: `b${mr}`,
        sha: 'abc',
        image: 'registry.example.test/acme/shop:abc',
        requester: 'U1',
        source: 'slack',
        channel: 'C1',
        thread: `1.${mr}`,
        statusTs: `2.${mr}`,
        launchedAt: now,
        softDeadline: now + 30 * 60_000,
        hardDeadline: now + 120 * 60_000,
        ...(options.url === false ? {} : { url: `http://10.0.0.${mr % 250}:3000` }),
      }),
    });
    world.aws.runTaskNow(task.arn);
  }
  return createEngine({ config, env, logger: silentLogger, clock: world.clock });
}
