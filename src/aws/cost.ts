import type { CostEstimate } from '../core/cost.js';
import type { TaskInfo } from '../core/types.js';
import type { FargatePrices } from './settings.js';

/**
 * What a Fargate task has cost so far, from its CPU and memory, its run time
 * (per second, one minute at least, as Fargate bills) and the configured
 * prices. `since` stands in for the start when ECS has not said yet.
 */
export function estimateFargateCost(
  task: TaskInfo,
  prices: FargatePrices,
  since: number,
  now: number,
): CostEstimate | undefined {
  const vcpu = Number(task.cpu) / 1024;
  const gb = Number(task.memory) / 1024;
  if (!Number.isFinite(vcpu) || !Number.isFinite(gb) || vcpu <= 0 || gb <= 0) return undefined;
  const start = task.startedAt ?? task.createdAt ?? since;
  const end = task.stoppedAt ?? now;
  const hours = Math.max(60, (end - start) / 1000) / 3600;
  const perHour = vcpu * prices.vcpuHour + gb * prices.gbHour;
  const spot = task.capacityProvider === 'FARGATE_SPOT';
  return { dollars: perHour * hours * (spot ? 1 - prices.spotDiscount : 1), spot };
}
