import { tagsToMeta } from './tags.js';
import type { ReviewAppMeta } from './types.js';

/**
 * Each task's meta, decoded once per change of its tags instead of every
 * watch round: with a thousand apps, decoding every tag of every task each
 * round was most of a round's CPU. Keyed by task ARN; an entry holds while
 * the task's tags read exactly the same.
 */
export class MetaCache {
  private entries = new Map<string, { fingerprint: string; meta: ReviewAppMeta | undefined }>();

  /** The meta of a task with these tags (undefined when they are not a review app's). */
  read(arn: string, tags: Record<string, string>): ReviewAppMeta | undefined {
    let fingerprint = '';
    for (const key in tags) fingerprint += `${key}\u0000${tags[key]}\u0001`;
    let entry = this.entries.get(arn);
    if (entry?.fingerprint !== fingerprint) {
      entry = { fingerprint, meta: tagsToMeta(tags) };
      this.entries.set(arn, entry);
    }
    // A copy: callers build new apps from it and must not share one object.
    return entry.meta && { ...entry.meta };
  }

  /** Forget every task but these (the ones ECS still shows), so the cache never outgrows them. */
  retain(arns: Iterable<string>): void {
    const kept = new Map<string, { fingerprint: string; meta: ReviewAppMeta | undefined }>();
    for (const arn of arns) {
      const entry = this.entries.get(arn);
      if (entry) kept.set(arn, entry);
    }
    this.entries = kept;
  }
}

/** Let timers and I/O (Slack requests above all) run between batches of synchronous work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
