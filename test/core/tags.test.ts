import { describe, expect, it } from 'vitest';
import { decodeTagValue, encodeTagValue, metaToTags, tagsToMeta } from '../../src/core/tags.js';
import type { ReviewAppMeta } from '../../src/core/types.js';

const ECS_ALLOWED = /^[A-Za-z0-9 _.:/=+\-@]*$/;

describe('tag values', () => {
  it.each([
    'feature/login-page',
    'Fix <!channel> & "quotes" = 100%',
    'émoji 🚀 and right-to-left \u202E mark',
    'a=b==c=3D',
    '',
  ])('encodes %j into allowed characters and reads it back unchanged', (value) => {
    const encoded = encodeTagValue(value);
    expect(encoded).toMatch(ECS_ALLOWED);
    expect(encoded.length).toBeLessThanOrEqual(256);
    expect(decodeTagValue(encoded)).toEqual({ value, truncated: false });
  });

  it('keeps plain branch names readable in the console', () => {
    expect(encodeTagValue('feature/add-cart_v2.1')).toBe('feature/add-cart_v2.1');
  });

  it('cuts a long value at a whole character and says it was cut', () => {
    const value = `${'ü'.repeat(100)}tail`;
    const encoded = encodeTagValue(value);
    expect(encoded.length).toBeLessThanOrEqual(256);
    expect(encoded).toMatch(ECS_ALLOWED);
    const decoded = decodeTagValue(encoded);
    expect(decoded.truncated).toBe(true);
    expect(value.startsWith(decoded.value)).toBe(true);
    expect(decoded.value.length).toBeGreaterThan(30);
  });

  it('cuts 10,000 characters of emoji without breaking one', () => {
    const decoded = decodeTagValue(encodeTagValue('🎉'.repeat(10_000)));
    expect(decoded.truncated).toBe(true);
    expect(decoded.value).toMatch(/^(🎉)+$/u);
  });
});

describe('meta in tags', () => {
  const meta: ReviewAppMeta = {
    project: 'acme/shop',
    mr: 42,
    title: 'Checkout: <b>new</b> flow & more',
    branch: 'feature/checkout',
    sha: 'a1b2c3d4e5f6',
    image: 'registry.example.test/acme/shop:a1b2c3d4e5f6',
    requester: 'U123',
    source: 'slack',
    channel: 'C1',
    thread: '1700000000.000100',
    statusTs: '1700000000.000200',
    launchedAt: Date.parse('2026-11-27T10:00:00Z'),
    softDeadline: Date.parse('2026-11-27T10:30:00Z'),
    hardDeadline: Date.parse('2026-11-27T12:00:00Z'),
    port: 3000,
    url: 'http://203.0.113.7:3000',
    warned: true,
    noteId: 3001,
  };

  it('round-trips through tags with valid keys', () => {
    const tags = metaToTags(meta);
    for (const tag of tags) {
      expect(tag.key.startsWith('review-app:')).toBe(true);
      expect(tag.value).toMatch(ECS_ALLOWED);
    }
    expect(tags.length).toBeLessThan(50);
    const record = Object.fromEntries(tags.map((t) => [t.key, t.value]));
    expect(tagsToMeta(record)).toEqual(meta);
  });

  it('ignores tasks whose tags are not a review app', () => {
    expect(tagsToMeta({ team: 'payments' })).toBeUndefined();
  });

  it('reads a flag written back as empty as unset', () => {
    const record = Object.fromEntries(metaToTags(meta).map((t) => [t.key, t.value]));
    record['review-app:warned'] = '';
    expect(tagsToMeta(record)?.warned).toBeUndefined();
  });
});
