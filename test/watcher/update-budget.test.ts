import { describe, expect, it } from 'vitest';
import { UpdateBudget } from '../../src/watcher/update-budget.js';

const MINUTE = 60_000;

describe('the update budget', () => {
  it('counts the edits an end made without asking: countdowns wait until they leave the window', () => {
    const start = 1_000_000;
    const budget = new UpdateBudget(4, start - MINUTE);
    budget.spend(start, 4);
    expect(budget.take(start + 1_000)).toBe(false);
    expect(budget.take(start + MINUTE - 1)).toBe(false);
    expect(budget.take(start + MINUTE)).toBe(true);
  });
});
