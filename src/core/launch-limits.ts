import type { EngineConfig } from '../config/config.js';
import { ReviewAppError } from './errors.js';
import type { ReviewApp } from './types.js';

/**
 * MAX_RUNNING_APPS and MAX_APPS_PER_USER. Launches of different MRs run side
 * by side, so each one holds a place from its check until its task shows in
 * ECS; the check and the reservation happen in one synchronous step.
 */
export class LaunchLimits {
  private readonly reservations = new Set<{ mr: number; requester: string }>();

  constructor(private readonly limits: EngineConfig['limits']) {}

  /** Throws LIMIT_REACHED, or reserves a place and returns its release. */
  reserve(running: ReviewApp[], mr: number, requester: string, replaced?: ReviewApp): () => void {
    const others = running.filter((app) => app !== replaced);
    // Launches under way count too, unless their task already shows.
    const starting = [...this.reservations].filter(
      (r) => r.mr !== replaced?.meta.mr && !others.some((app) => app.meta.mr === r.mr),
    );
    const { maxRunning, maxPerUser } = this.limits;
    if (others.length + starting.length >= maxRunning) {
      throw new ReviewAppError(
        'LIMIT_REACHED',
        `${others.length + starting.length} review apps are running, the most allowed at once (${maxRunning}). Stop one to launch another.`,
        { apps: others, limit: 'total' },
      );
    }
    const own = others.filter((app) => app.meta.requester === requester);
    const ownStarting = starting.filter((r) => r.requester === requester).length;
    if (own.length + ownStarting >= maxPerUser) {
      throw new ReviewAppError(
        'LIMIT_REACHED',
        `You already have ${own.length + ownStarting} review apps running, the most allowed per person (${maxPerUser}). Stop one of yours to launch another.`,
        { apps: own, limit: 'user' },
      );
    }
    const reservation = { mr, requester };
    this.reservations.add(reservation);
    return () => this.reservations.delete(reservation);
  }
}
