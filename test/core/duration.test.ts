import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/core/duration.js';

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['45', 2_700_000],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '1d', '-5m', '1.5h'])('refuses %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it('writes durations for people', () => {
    expect(formatDuration(5_400_000)).toBe('1h 30m');
    expect(formatDuration(25 * 60_000)).toBe('25m');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(-1)).toBe('0s');
  });
});
