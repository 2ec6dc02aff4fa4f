/**
 * Holds the work that follows an acknowledgement until commands stop arriving.
 *
 * Slack waits at most three seconds for each acknowledgement. When fifty
 * commands arrive at once, a launch started right after its own
 * acknowledgement (GitLab and ECS requests, their signing, code run for the
 * first time) runs between the acknowledgements of the commands still being
 * received, and the last of them waits for all that work: 3.7× a bare Bolt
 * app's p99 in `npm run bench`, though each command acknowledged first. Work
 * released once no command was acknowledged for a short lull (and never held
 * longer than a bound, so a steady stream of commands cannot starve it) lets
 * a burst be acknowledged before any of its launches starts.
 */
export class AcknowledgedFirst {
  private lastAck = 0;
  private waiting: { since: number; release: () => void }[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly lullMs = 20,
    private readonly maxWaitMs = 500,
  ) {}

  /** Call right after acknowledging: resolves when the work may start. */
  settled(): Promise<void> {
    const now = performance.now();
    this.lastAck = now;
    return new Promise((release) => {
      this.waiting.push({ since: now, release });
      this.schedule();
    });
  }

  private schedule(): void {
    const oldest = this.waiting[0];
    if (!oldest) return;
    if (this.timer) clearTimeout(this.timer);
    const at = Math.min(this.lastAck + this.lullMs, oldest.since + this.maxWaitMs);
    this.timer = setTimeout(() => this.release(), Math.max(0, at - performance.now()));
  }

  private release(): void {
    this.timer = undefined;
    const oldest = this.waiting[0];
    if (!oldest) return;
    const now = performance.now();
    // Timers may fire a little early: release only once the lull or the bound has passed.
    if (now < this.lastAck + this.lullMs && now < oldest.since + this.maxWaitMs) {
      this.schedule();
      return;
    }
    const released = this.waiting;
    this.waiting = [];
    for (const { release } of released) release();
  }
}
