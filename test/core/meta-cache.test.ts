import { describe, expect, it } from 'vitest';
import { MetaCache } from '../../src/core/meta-cache.js';
import { metaToTags } from '../../src/core/tags.js';

const tagsOf = (meta: Parameters<typeof metaToTags>[0]) =>
  Object.fromEntries(metaToTags(meta).map((t) => [t.key, t.value]));

const base = {
  project: 'acme/shop',
  mr: 42,
  title: 'Checkout <page> & “quotes”',
  requester: 'U_ALICE',
  softDeadline: Date.UTC(2026, 10, 27, 12, 30),
  hardDeadline: Date.UTC(2026, 10, 27, 14, 0),
};

describe('decoded tags, kept per task', () => {
  it('reads a task’s meta again when its tags change, and hands out copies', () => {
    const cache = new MetaCache();
    const first = cache.read('arn:1', tagsOf(base));
    expect(first?.title).toBe(base.title);
    if (first) first.title = 'changed by a caller';
    expect(cache.read('arn:1', tagsOf(base))?.title).toBe(base.title);
    const extended = base.softDeadline + 30 * 60_000;
    expect(cache.read('arn:1', tagsOf({ ...base, softDeadline: extended }))?.softDeadline).toBe(
      extended,
    );
    expect(cache.read('arn:2', { team: 'shop' })).toBeUndefined();
  });
});
