import type { EngineConfig } from '../config/config.js';
import type { ReviewApp } from './types.js';

/**
 * What an app has cost so far, estimated from the task's CPU and memory, its
 * run time (per second, one minute at least, as Fargate bills) and the
 * configured prices. An estimate for people, not a bill.
 */
export function estimateCost(
  app: ReviewApp,
  prices: EngineConfig['prices'],
  now: number,
): number | undefined {
  const { task } = app;
  const vcpu = Number(task.cpu) / 1024;
  const gb = Number(task.memory) / 1024;
  if (!Number.isFinite(vcpu) || !Number.isFinite(gb) || vcpu <= 0 || gb <= 0) return undefined;
  const start = task.startedAt ?? task.createdAt ?? app.meta.launchedAt;
  const end = task.stoppedAt ?? now;
  const hours = Math.max(60, (end - start) / 1000) / 3600;
  const perHour = vcpu * prices.vcpuHour + gb * prices.gbHour;
  const spot = task.capacityProvider === 'FARGATE_SPOT' ? 1 - prices.spotDiscount : 1;
  return perHour * hours * spot;
}

export function formatCost(dollars: number | undefined, spot = false): string | undefined {
  if (dollars === undefined) return undefined;
  // Review apps cost cents: show a tenth of a cent below a dollar.
  const text = dollars < 0.001 ? '< $0.001' : `$${dollars.toFixed(dollars < 1 ? 3 : 2)}`;
  return spot ? `${text} (Spot)` : text;
}

export function costOf(
  app: ReviewApp,
  prices: EngineConfig['prices'],
  now: number,
): string | undefined {
  return formatCost(estimateCost(app, prices, now), app.task.capacityProvider === 'FARGATE_SPOT');
}
