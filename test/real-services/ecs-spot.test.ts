import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { startWorld } from '../support/world.js';

describe('Fargate Spot', () => {
  it('explains that the cluster lacks FARGATE_SPOT and how to attach it', async () => {
    await using world = await startWorld();
    world.aws.setCapacityProviders('review-apps', ['FARGATE']);
    world.addMergeRequest(14);
    const env = { ECS_CAPACITY_PROVIDER: 'FARGATE_SPOT' };
    const refused = await cli(world, ['launch', '14'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'The cluster review-apps does not have the FARGATE_SPOT capacity provider',
    );
    expect(refused.stderr).toContain('put-cluster-capacity-providers --cluster review-apps');
    expect(refused.stderr).toContain('or set ECS_CAPACITY_PROVIDER=FARGATE');
    expect(world.aws.tasks()).toHaveLength(0);

    world.aws.setCapacityProviders('review-apps', ['FARGATE', 'FARGATE_SPOT']);
    const launched = await cli(world, ['launch', '14'], env);
    expect(launched.code).toBe(0);
    expect(world.aws.tasks()[0]?.capacityProviderName).toBe('FARGATE_SPOT');
  });
});
