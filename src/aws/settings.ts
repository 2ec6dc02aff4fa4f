/** What the ECS adapter needs: cluster, networking, the lifetime guard and Fargate prices. */
export interface EcsSettings {
  cluster: string;
  /** The base task definition: family, family:revision or ARN. */
  taskDefinition: string;
  /** The app container's name; the first essential container when unset. */
  container?: string | undefined;
  /** The review family; `<base family>-review-app` when unset. */
  family?: string | undefined;
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: boolean;
  capacityProvider: 'FARGATE' | 'FARGATE_SPOT';
  guard: GuardSettings;
  prices: FargatePrices;
}

export interface GuardSettings {
  /** `container`: an essential sleeper ends the task; `command`: `timeout` wraps the app. */
  mode: 'container' | 'command';
  maxLifetimeMs: number;
  /** The sleeper's image (any image with `sleep`). */
  reaperImage: string;
}

/** Per hour, for cost estimates shown to people. */
export interface FargatePrices {
  vcpuHour: number;
  gbHour: number;
  /** Fraction saved on Fargate Spot, 0 to 1. */
  spotDiscount: number;
}
