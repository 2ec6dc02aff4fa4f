import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The bot's IAM policy has one source: `docs/iam-policy.json`, which operators read and
 * copy. It names an example account, region, cluster and families; the stack puts its own
 * in their place, statement by statement, so that the role it creates holds exactly the
 * documented actions and nothing else (the tests compare the two).
 */
export const POLICY_FILE = fileURLToPath(new URL('../../docs/iam-policy.json', import.meta.url));

/** The example values `docs/iam-policy.json` is written with. */
export const EXAMPLE = {
  partition: 'arn:aws:',
  region: 'us-east-1',
  account: '123456789012',
  cluster: 'review-apps',
  reviewFamily: 'shop-web-review-app',
  logGroup: '/ecs/shop-web',
  executionRole: 'ecsTaskExecutionRole',
  taskRole: 'shop-web-task',
  /** The HTTPS listener review apps get their names on: `app/<name>/<id>/<listener id>`. */
  listener: 'app/review-apps/0123456789abcdef/fedcba9876543210',
} as const;

/** Without a listener, the load balancer's statements (Sid `LoadBalancer…`) are left out. */
export type PolicyValues = { [K in Exclude<keyof typeof EXAMPLE, 'listener'>]: string } & {
  listener?: string | undefined;
};

const LOAD_BALANCER_STATEMENT = /^LoadBalancer/;

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

export function documentedPolicy(): PolicyDocument {
  return JSON.parse(readFileSync(POLICY_FILE, 'utf8')) as PolicyDocument;
}

/** Longer names first, so that `shop-web-review-app` is not taken for `shop-web`. */
function replacements(values: PolicyValues): [string, string][] {
  return [
    ...(values.listener
      ? ([
          [`listener/${EXAMPLE.listener}`, `listener/${values.listener}`],
          [`listener-rule/${EXAMPLE.listener}/`, `listener-rule/${values.listener}/`],
        ] as [string, string][])
      : []),
    [`task-definition/${EXAMPLE.reviewFamily}:`, `task-definition/${values.reviewFamily}:`],
    [`log-group:${EXAMPLE.logGroup}:`, `log-group:${values.logGroup}:`],
    [`cluster/${EXAMPLE.cluster}`, `cluster/${values.cluster}`],
    [`task/${EXAMPLE.cluster}/`, `task/${values.cluster}/`],
    [`role/${EXAMPLE.executionRole}`, `role/${values.executionRole}`],
    [`role/${EXAMPLE.taskRole}`, `role/${values.taskRole}`],
    [`:${EXAMPLE.region}:${EXAMPLE.account}:`, `:${values.region}:${values.account}:`],
    [`::${EXAMPLE.account}:`, `::${values.account}:`],
    [EXAMPLE.partition, values.partition],
  ];
}

function substitute(text: string, values: PolicyValues): string {
  let out = text;
  for (const [from, to] of replacements(values)) out = out.split(from).join(to);
  return out;
}

function mapStrings<T>(value: T, change: (text: string) => string): T {
  if (typeof value === 'string') return change(value) as T;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, change)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, mapStrings(item, change)]),
    ) as T;
  }
  return value;
}

/** The documented policy with this deployment's names in place of the examples. */
export function botPolicy(values: PolicyValues): PolicyDocument {
  const documented = documentedPolicy();
  const statements = documented.Statement.filter(
    (statement) => values.listener !== undefined || !LOAD_BALANCER_STATEMENT.test(statement.Sid),
  );
  return mapStrings({ ...documented, Statement: statements }, (text) => substitute(text, values));
}
