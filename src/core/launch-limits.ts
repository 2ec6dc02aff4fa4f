import { ReviewAppError } from './errors.js';
import type { LimitSettings } from './settings.js';
import { isEnded, type ReviewApp } from './types.js';
import { isAre, plural } from './words.js';

interface Reservation {
  mr: number;
  requester: string;
  /** Set once RunTask answered: the place is held until ECS lists the task. */
  arn?: string;
  since: number;
}

/** ListTasks may take a moment to show a new task; after this, a started task counts by itself. */
const VISIBLE_WITHIN_MS = 2 * 60_000;

/**
 * MAX_RUNNING_APPS and MAX_APPS_PER_USER. Launches of different MRs run side
 * by side, so each one holds a place from its check until its task shows in
 * ECS; the check and the reservation happen in one synchronous step.
 */
export class LaunchLimits {
  private readonly reservations = new Set<Reservation>();

  constructor(
    private readonly limits: LimitSettings,
    private readonly now: () => number,
  ) {}

  /** Tasks started here that still hold a place: a snapshot should describe them by ARN. */
  pendingArns(): string[] {
    return [...this.reservations].flatMap((r) => (r.arn === undefined ? [] : [r.arn]));
  }

  /** The task stopped or failed to start: its place is free at once. */
  settle(arn: string): void {
    for (const r of this.reservations) if (r.arn === arn) this.reservations.delete(r);
  }

  /**
   * Throws LIMIT_REACHED, or reserves a place. `apps` is what ECS shows now,
   * including the `pendingArns()` whatever their state: a reserved task that
   * shows up counts by itself (or not at all once it has ended).
   * `release(arn)` keeps the place until the task shows; `release()` gives it
   * up (nothing was started).
   */
  reserve(
    apps: ReviewApp[],
    mr: number,
    requester: string,
    replaced?: ReviewApp,
    /** The requester's running apps of the bot's other projects (one per-user limit for all). */
    elsewhere: ReviewApp[] = [],
  ): (arn?: string) => void {
    const now = this.now();
    for (const r of this.reservations) {
      const shown = r.arn !== undefined && apps.some((app) => app.task.arn === r.arn);
      if (shown || (r.arn !== undefined && now - r.since > VISIBLE_WITHIN_MS))
        this.reservations.delete(r);
    }
    const running = apps.filter((app) => !isEnded(app.task));
    const others = running.filter((app) => app.task.arn !== replaced?.task.arn);
    // Launches under way (or started but not listed yet) count too.
    const starting = [...this.reservations].filter((r) => r.mr !== replaced?.meta.mr);
    const { maxRunning, maxPerUser } = this.limits;
    if (others.length + starting.length >= maxRunning) {
      throw new ReviewAppError(
        'LIMIT_REACHED',
        `${plural(others.length + starting.length, 'review app')} ${isAre(others.length + starting.length)} running, the most allowed at once (${maxRunning}). Stop one to launch another.`,
        { apps: others, limit: 'total' },
      );
    }
    const own = [...others.filter((app) => app.meta.requester === requester), ...elsewhere];
    const ownStarting = starting.filter((r) => r.requester === requester).length;
    if (own.length + ownStarting >= maxPerUser) {
      throw new ReviewAppError(
        'LIMIT_REACHED',
        `You already have ${plural(own.length + ownStarting, 'review app')} running, the most allowed per person (${maxPerUser}). Stop one of yours to launch another.`,
        { apps: own, limit: 'user' },
      );
    }
    const reservation: Reservation = { mr, requester, since: now };
    this.reservations.add(reservation);
    return (arn) => {
      if (arn === undefined) {
        this.reservations.delete(reservation);
      } else {
        reservation.arn = arn;
        reservation.since = this.now();
      }
    };
  }
}
