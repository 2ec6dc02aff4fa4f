import { describe, expect, it } from 'vitest';
import { refSlug, tagCandidates } from '../../src/core/image-template.js';
import type { MergeRequest } from '../../src/core/types.js';

const mr: MergeRequest = {
  iid: 42,
  title: 't',
  state: 'opened',
  webUrl: 'https://gitlab.example.com/acme/shop/-/merge_requests/42',
  sourceBranch: 'Feature/Add_Cart',
  sha: '0123456789abcdef0123456789abcdef01234567',
  headPipeline: null,
};

describe('image tags', () => {
  it('computes the ref slug as GitLab does', () => {
    expect(refSlug('Feature/Add_Cart')).toBe('feature-add-cart');
    expect(refSlug('--main--')).toBe('main');
    expect(refSlug(`${'a'.repeat(62)}/b`)).toBe('a'.repeat(62));
    expect(refSlug('x'.repeat(100))).toHaveLength(63);
  });

  it('fills every placeholder, in the order given, without duplicates', () => {
    expect(tagCandidates('{sha}, {short_sha},{ref_slug},mr-{mr},{sha}', mr)).toEqual([
      mr.sha,
      '01234567',
      'feature-add-cart',
      'mr-42',
    ]);
  });

  it('turns a branch into a valid docker tag', () => {
    expect(tagCandidates('{branch}', mr)).toEqual(['Feature-Add_Cart']);
  });
});
