import type { Clock } from './clock.js';
import { ReviewAppError } from './errors.js';
import { LaunchLimits } from './launch-limits.js';
import type { LimitSettings } from './settings.js';
import { isEnded, type MergeRequest, type ReviewApp } from './types.js';

/** One reading of the MR and of ECS, shared by a launch's precheck and its locked check. */
export interface Prechecked {
  mr: MergeRequest;
  /** This project's apps as ECS showed them (ended ones included). */
  apps: ReviewApp[];
  /** How many tasks this engine had started when ECS was read. */
  started: number;
  /** The requester's running apps of the bot's other projects: MAX_APPS_PER_USER counts them too. */
  elsewhere: ReviewApp[];
  /** Whose launch it was read for. */
  requester: string;
}

/** One reading of ECS: this project's apps, and the running ones of the bot's other projects. */
type Reading = { apps: ReviewApp[]; others: ReviewApp[] };

/** What a launch asks to be let in with. */
export interface AdmissionRequest {
  mr: number;
  requester: string;
  /** Stop the MR's running app first (relaunch). */
  replace?: boolean;
  /** What `precheck` read moments ago for this launch: not read from GitLab and ECS again. */
  prechecked?: Prechecked;
}

export interface Admitted {
  mr: MergeRequest;
  /** The MR's running app, which the launch replaces. */
  existing?: ReviewApp;
  prechecked: Prechecked;
  /** Free the place held within the limits; with the ARN of the task started, once ECS lists it. */
  release: (arn?: string) => void;
}

export interface AdmissionDeps {
  limits: LimitSettings;
  clock: Clock;
  /** The MR, if it is open (MR_NOT_OPEN otherwise). */
  openMergeRequest(iid: number): Promise<MergeRequest>;
  /**
   * This project's apps, the `known` tasks whatever their state; and, from the same
   * reading of ECS, the running apps of the bot's other projects (when it serves several).
   */
  apps(known: string[]): Promise<{ apps: ReviewApp[]; others: ReviewApp[] }>;
  /** Start reading what the image lookup will need, while the MR and ECS are read. */
  warmUp(): void;
}

/**
 * Whether a launch may go ahead: the MR must be open, not running already
 * (unless replaced), and within MAX_RUNNING_APPS and MAX_APPS_PER_USER. A
 * launch holds its place from this check until its task shows in ECS.
 */
export class LaunchAdmission {
  private readonly limits: LaunchLimits;
  private sharedReading: { key: string; started: number; apps: Promise<Reading> } | undefined;
  /** Tasks started by this engine so far, and the count when each MR's latest one started. */
  private startedCount = 0;
  private readonly lastStart = new Map<number, number>();

  constructor(private readonly deps: AdmissionDeps) {
    this.limits = new LaunchLimits(deps.limits, () => deps.clock.now());
  }

  /**
   * The check, holding a place within the limits until `release`: launches
   * of different MRs run side by side, and each must count the others. The MR
   * and ECS are read side by side; the registry lookup is warmed meanwhile.
   * `shared`: prechecks made at the same moment share one reading of ECS.
   */
  async checkAndReserve(
    request: AdmissionRequest,
    options: { shared?: boolean } = {},
  ): Promise<Admitted> {
    // A precheck's reading holds unless a launch of this MR started after it was made.
    const usable =
      request.prechecked?.mr.iid === request.mr &&
      request.prechecked.requester === request.requester &&
      (this.lastStart.get(request.mr) ?? 0) <= request.prechecked.started
        ? request.prechecked
        : undefined;
    const prechecked =
      usable ?? (await this.read(request.mr, request.requester, options.shared ?? false));
    const { mr, apps, elsewhere } = prechecked;
    const existing = apps.find((app) => app.meta.mr === mr.iid && !isEnded(app.task));
    if (existing && !request.replace) {
      throw new ReviewAppError('ALREADY_RUNNING', `!${mr.iid} already has a review app running.`, {
        app: existing,
      });
    }
    const release = this.limits.reserve(apps, mr.iid, request.requester, existing, elsewhere);
    return existing ? { mr, existing, prechecked, release } : { mr, prechecked, release };
  }

  /** A task of this MR was started: readings made before it no longer hold for the MR. */
  started(mr: number): void {
    this.startedCount += 1;
    this.lastStart.set(mr, this.startedCount);
  }

  /** The task stopped or failed to start: its place is free at once. */
  settle(arn: string): void {
    this.limits.settle(arn);
  }

  /** The open MR and this project's apps (with launches still settling), read in parallel. */
  private async read(iid: number, requester: string, shared: boolean): Promise<Prechecked> {
    // Needed next by the image lookup, and independent of the MR: start it now.
    this.deps.warmUp();
    const reading = this.appsNow(shared);
    const [mr, { apps, others }] = await Promise.all([
      this.deps.openMergeRequest(iid),
      reading.apps,
    ]);
    const elsewhere = others.filter(
      (app) => app.meta.requester === requester && !isEnded(app.task),
    );
    return { mr, apps, started: reading.started, requester, elsewhere };
  }

  /**
   * This project's apps, launches still settling included. Fifty commands at
   * once need not describe every running app fifty times: with `shared`, a
   * reading under way serves them all (reservations count the launches
   * themselves, and a launch's locked check never relies on a shared reading
   * when another launch of its MR came in between).
   */
  private appsNow(shared: boolean): { apps: Promise<Reading>; started: number } {
    const known = this.limits.pendingArns();
    const key = known.join(' ');
    if (shared && this.sharedReading?.key === key) return this.sharedReading;
    const reading = { key, started: this.startedCount, apps: this.deps.apps(known) };
    if (shared) {
      this.sharedReading = reading;
      const clear = () => {
        if (this.sharedReading === reading) this.sharedReading = undefined;
      };
      reading.apps.then(clear, clear);
    }
    return reading;
  }
}
