const WINDOW_MS = 60_000;

/**
 * Slack message updates shared by all countdowns: chat.update allows about 50
 * a minute, so at most `perMinute` go out in any 60 seconds. A sliding window
 * (not a token bucket, which lets a full bucket plus its refill through in
 * one minute) keeps that true for every minute.
 *
 * A new budget counts the minute before it as fully spent: the process it
 * replaces may have used that minute's updates just before it stopped, and
 * Slack counts per app, not per process. So a restart never sends a burst;
 * countdowns (which show whole minutes) resume a minute after start-up.
 */
export class UpdateBudget {
  /** When the updates of the last minute went out, oldest first. */
  private readonly sent: number[] = [];
  private pausedUntil = 0;

  constructor(
    private readonly perMinute: number,
    now: number,
  ) {
    for (let i = 1; i <= perMinute; i++)
      this.sent.push(now - WINDOW_MS + (i * WINDOW_MS) / perMinute);
  }

  /** Take one update if the budget allows it now. */
  take(now: number): boolean {
    while (this.sent.length > 0 && (this.sent[0] as number) <= now - WINDOW_MS) this.sent.shift();
    if (now < this.pausedUntil || this.sent.length >= this.perMinute) return false;
    this.sent.push(now);
    return true;
  }

  /** Updates that went out without asking (an end is always told): later ones wait for them. */
  spend(now: number, count: number): void {
    for (let i = 0; i < count; i++) this.sent.push(now);
  }

  /** Slack said to slow down: no updates until `ms` from now. */
  pause(now: number, ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, now + ms);
  }
}
