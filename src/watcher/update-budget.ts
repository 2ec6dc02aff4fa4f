/**
 * A token bucket for Slack message updates: chat.update allows about 50 a
 * minute, so all countdowns share `perMinute` updates, refilled over time.
 */
export class UpdateBudget {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;

  constructor(
    private readonly perMinute: number,
    now: number,
  ) {
    this.tokens = perMinute;
    this.last = now;
  }

  /** Take one update if the budget allows it now. */
  take(now: number): boolean {
    this.refill(now);
    if (now < this.pausedUntil || this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Slack said to slow down: no updates until `ms` from now. */
  pause(now: number, ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, now + ms);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(this.perMinute, this.tokens + (elapsed * this.perMinute) / 60_000);
    this.last = now;
  }
}
