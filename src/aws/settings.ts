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

/**
 * The shared Application Load Balancer that gives review apps stable names; set
 * once by the operator (its HTTPS listener, a wildcard certificate and DNS record).
 */
export interface LoadBalancerSettings {
  /** The HTTPS listener's ARN; its load balancer's VPC must be the tasks' VPC. */
  listenerArn: string;
  /** `review.example.com`, covered by the listener's `*.review.example.com` certificate. */
  domain: string;
  /** Host name template: `{mr}`, `{domain}`, `{project}` (the project's last path segment), `{random}`. */
  hostTemplate: string;
  healthCheck: {
    path: string;
    /** HTTP codes that count as healthy: `200`, `200-399`, `200,302`. */
    codes: string;
    intervalSeconds: number;
    healthyThreshold: number;
  };
  /** How long a replaced or ended target keeps its open connections (seconds). */
  deregistrationDelaySeconds: number;
  /** Priorities of the bot's rules are chosen from here upward, below the operator's own. */
  firstPriority: number;
  access: {
    /** Source networks allowed in (empty: everyone). */
    cidrs: string[];
    oidc?: OidcSettings | undefined;
  };
}

/** An OpenID Connect provider the load balancer signs people in with, before every app. */
export interface OidcSettings {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userInfoEndpoint: string;
  clientId: string;
  /** A secret: sent to ELB only, never logged, tagged or shown. */
  clientSecret: string;
  scope?: string | undefined;
}
