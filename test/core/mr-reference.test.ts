import { describe, expect, it } from 'vitest';
import { parseMergeRequestReference } from '../../src/core/mr-reference.js';

const project = { gitlabUrl: 'https://gitlab.example.com', path: 'acme/shop' };
const parse = (text: string) => parseMergeRequestReference(text, project);

describe('merge request references', () => {
  it.each([
    ['42', 42],
    ['!42', 42],
    ['  !7 ', 7],
    ['https://gitlab.example.com/acme/shop/-/merge_requests/42', 42],
    ['https://gitlab.example.com/acme/shop/-/merge_requests/42/diffs', 42],
    ['https://GITLAB.example.com/Acme/Shop/-/merge_requests/9', 9],
  ])('reads %j as !%i', (text, iid) => {
    expect(parse(text)).toBe(iid);
  });

  it.each([
    ['', /No merge request given/],
    ['abc', /is not a merge request/],
    ['-5', /is not a merge request/],
    ['0', /not a valid merge request number/],
    ['99999999999999999999', /not a valid merge request number/],
    ['42abc', /is not a merge request/],
    ['42; rm -rf /', /is not a merge request/],
    ['٤٢', /is not a merge request/],
    ['４２', /is not a merge request/],
    ['x'.repeat(5000), /too long/],
    [
      'https://gitlab.example.com/acme/other/-/merge_requests/42',
      /belongs to acme\/other, not to acme\/shop/,
    ],
    [
      'https://evil.example.net/acme/shop/-/merge_requests/42',
      /not a merge request URL of gitlab.example.com/,
    ],
    ['https://gitlab.example.com/acme/shop/-/issues/42', /not a merge request URL/],
    ['https://gitlab.example.com/acme%E0%A4%A/-/merge_requests/1', /That URL cannot be read/],
  ])('refuses %j with a message that says what to give', (text, message) => {
    expect(() => parse(text)).toThrow(message);
    try {
      parse(text);
    } catch (error) {
      expect((error as { code: string }).code).toBe('BAD_MR_REFERENCE');
    }
  });

  it('accepts URLs of a GitLab installed under a sub-path', () => {
    const sub = { gitlabUrl: 'https://example.com/gitlab', path: 'acme/shop' };
    expect(
      parseMergeRequestReference('https://example.com/gitlab/acme/shop/-/merge_requests/3', sub),
    ).toBe(3);
  });
});
