/**
 * Registered targets and their health as ALB reports it (DescribeTargetHealth,
 * TargetHealth in the API reference; "Health checks for Application Load
 * Balancer target groups", docs.aws.amazon.com/elasticloadbalancing/latest/
 * application/target-group-health-checks.html):
 * - `initial` (`Elb.RegistrationInProgress`) until the first check has run ("After
 *   your target is registered, it must pass one health check to be considered
 *   healthy"; HealthyThresholdCount is what an unhealthy target needs to come back), or,
 *   for an app that fails, UnhealthyThresholdCount checks; one every
 *   HealthCheckIntervalSeconds;
 * - then `healthy`, or `unhealthy` with the reason the stand-in was told; a healthy
 *   target that starts failing stays in service until UnhealthyThresholdCount checks
 *   have failed ("If the health checks exceed UnhealthyThresholdCount consecutive
 *   failures, the load balancer takes the target out of service");
 * - `unused` (`Target.NotInUse`) while no listener or rule sends traffic to the group;
 * - after DeregisterTargets, `draining` (`Target.DeregistrationInProgress`) for the
 *   group's `deregistration_delay.timeout_seconds` (default 300), then gone.
 * Time comes only from the stand-in's `now()`.
 */

export type UnhealthyReason =
  | 'Target.ResponseCodeMismatch'
  | 'Target.Timeout'
  | 'Target.FailedHealthChecks';

const DESCRIPTIONS: Record<UnhealthyReason, string> = {
  'Target.ResponseCodeMismatch': 'Health checks failed with these codes: [502]',
  'Target.Timeout': 'Request timed out',
  'Target.FailedHealthChecks': 'Health checks failed',
};

export interface Registration {
  id: string;
  port: number;
  availabilityZone?: string | undefined;
  registeredAt: number;
  deregisteredAt?: number;
}

export interface HealthSettings {
  intervalSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  deregistrationDelaySeconds: number;
  inUse: boolean;
}

export interface TargetHealth {
  State: 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining';
  Reason?: string;
  Description?: string;
}

/** The health the app behind `ip:port` answers with, and since when; healthy unless told otherwise. */
export class AppHealth {
  private readonly failing = new Map<string, { reason: UnhealthyReason; since: number }>();

  constructor(private readonly now: () => number = () => 0) {}

  set(ip: string, port: number | undefined, health: 'healthy' | UnhealthyReason): void {
    const key = port === undefined ? ip : `${ip}:${port}`;
    if (health === 'healthy') this.failing.delete(key);
    // Failing for another reason is failing still: the checks have been failing since then.
    else
      this.failing.set(key, { reason: health, since: this.failing.get(key)?.since ?? this.now() });
  }

  of(ip: string, port: number): { reason: UnhealthyReason; since: number } | undefined {
    return this.failing.get(`${ip}:${port}`) ?? this.failing.get(ip);
  }
}

export function healthOf(
  target: Registration,
  settings: HealthSettings,
  app: AppHealth,
  now: number,
): TargetHealth | undefined {
  if (target.deregisteredAt !== undefined) {
    if (now >= target.deregisteredAt + settings.deregistrationDelaySeconds * 1000) return undefined;
    return {
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
      Description: 'Target deregistration is in progress',
    };
  }
  if (!settings.inUse) {
    return {
      State: 'unused',
      Reason: 'Target.NotInUse',
      Description: 'Target group is not configured to receive traffic from the load balancer',
    };
  }
  const interval = settings.intervalSeconds * 1000;
  const failing = app.of(target.id, target.port);
  const initial: TargetHealth = {
    State: 'initial',
    Reason: 'Elb.RegistrationInProgress',
    Description: 'Target registration is in progress',
  };
  if (!failing) return now < target.registeredAt + interval ? initial : { State: 'healthy' };
  // Failing since registration: initial until UnhealthyThresholdCount checks have failed.
  // Failing after passing its first check: still healthy until they have.
  const passedFirst = failing.since >= target.registeredAt + interval;
  const since = Math.max(failing.since, target.registeredAt);
  if (now < since + settings.unhealthyThreshold * interval)
    return passedFirst ? { State: 'healthy' } : initial;
  const reason = failing.reason;
  return { State: 'unhealthy', Reason: reason, Description: DESCRIPTIONS[reason] };
}

/** Whether an IPv4 address lies in a CIDR block. */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const toNumber = (address: string) =>
    address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const prefix = Number(bits);
  if (!base || !/^\d+(\.\d+){3}$/.test(ip)) return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base) / size);
}
