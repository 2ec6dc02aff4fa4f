import type { ReviewApp } from '../../src/core/types.js';

/**
 * A running review app as the watcher hands it to Slack, launched at `now` from Slack in
 * channel C1, for tests that build messages without a bot; `meta` overrides its tags.
 */
export function runningApp(now: number, meta: Partial<ReviewApp['meta']> = {}): ReviewApp {
  const mr = meta.mr ?? 42;
  return {
    task: {
      arn: `arn:aws:ecs:us-east-1:1:task/c/t${mr}`,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      containers: [],
      tags: {},
      cpu: '256',
      memory: '512',
    },
    meta: {
      project: 'acme/shop',
      mr,
      title: 'Add the checkout page',
      branch: 'checkout',
      sha: 'a'.repeat(40),
      image: `registry.example.test/acme/shop:${'a'.repeat(40)}`,
      requester: 'U_ALICE',
      source: 'slack',
      channel: 'C1',
      thread: '1.1',
      statusTs: '1.2',
      launchedAt: now,
      softDeadline: now + 30 * 60_000,
      hardDeadline: now + 2 * 3_600_000,
      url: 'http://203.0.113.1:3000',
      ...meta,
    },
  };
}
