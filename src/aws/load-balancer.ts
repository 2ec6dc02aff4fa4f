import { isReviewAppError, ReviewAppError } from '../core/errors.js';
import { loadOnce } from '../core/load-once.js';
import type { Logger } from '../core/logger.js';
import type { AppRouter, RoutedApp, RoutedAppKey, RouteHealth, RouteRoom } from '../core/ports.js';
import type { AwsClients } from './clients.js';
import { callAws } from './errors.js';
import {
  actions,
  appLink,
  appOfTags,
  conditions,
  hostName,
  networkParts,
  ROUTE_TAGS,
  routeTags,
  sameApp,
  targetGroupInput,
  targetGroupName,
} from './load-balancer-rules.js';
import type { Rule, RuleCondition, Tag } from './sdk/elbv2.js';
import type { LoadBalancerSettings } from './settings.js';

type Sdk = typeof import('./sdk/elbv2.js');

/** "Rules per Application Load Balancer: 100" (default) and "Target Groups per ALB: 100" (fixed). */
const MAX_RULES = 100;
const MAX_TARGET_GROUPS = 100;
/** DescribeTags takes up to 20 resources a call. */
const TAGS_PER_CALL = 20;
/** A route whose app is not listed as live is kept this long: its launch may be under way. */
const LAUNCH_GRACE_MS = 10 * 60_000;

interface OurRule {
  arn: string;
  priority: number;
  app: RoutedAppKey;
  /** The rule's own tags (decoded), by key. */
  tags: Record<string, string>;
  part: number;
  host: string | undefined;
  rule: Rule;
}

/**
 * Review apps' names on one shared Application Load Balancer, reconciled from
 * tags: every rule and target group carries the app's project and MR from the
 * moment it is created, so each call reads what exists and changes only the
 * difference, after a crash as in a normal round. Rules go before the target
 * groups they use.
 */
export class AlbRouter implements AppRouter {
  /** Target group ARNs by name: a group keeps its ARN for as long as it exists. */
  private readonly groups = new Map<string, string>();
  private readonly listener = loadOnce(() => this.readListener());

  constructor(
    private readonly clients: AwsClients,
    private readonly settings: LoadBalancerSettings,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async admit(app: RoutedAppKey): Promise<void> {
    // Read side by side: a launch waits for both before RunTask.
    const [{ rules }, room] = await Promise.all([this.rules(), this.room()]);
    if (rules.some((r) => sameApp(r.app, app))) return;
    if (room.rules.used + room.rulesPerApp > room.rules.max) {
      throw full('rules', room.rules.used, room.rules.max);
    }
    if (room.targetGroups.used + 1 > room.targetGroups.max) {
      throw full('target-groups', room.targetGroups.used, room.targetGroups.max);
    }
  }

  async route(app: RoutedApp): Promise<{ url: string }> {
    // The rules and the target group side by side: the app's health checks wait for both.
    const [read, made] = await Promise.allSettled([this.rules(), this.targetGroup(app)]);
    if (read.status === 'rejected') {
      // A group made just now has no rule yet: it goes, as below.
      if (made.status === 'fulfilled' && made.value.created) {
        await this.deleteTargetGroup(made.value.arn).catch(() => undefined);
      }
      throw read.reason;
    }
    if (made.status === 'rejected') throw made.reason;
    const { rules, priorities } = read.value;
    const { arn: group, created } = made.value;
    const mine = rules.filter((r) => sameApp(r.app, app));
    try {
      if (created) await this.registerFirst(group, app);
      else await this.swapTargets(group, app);
      const host = mine.find((r) => r.host)?.host ?? hostName(app, this.settings);
      const parts = networkParts(this.settings);
      for (const [part, cidrs] of parts.entries()) {
        const existing = mine.find((r) => r.part === part);
        if (existing) await this.pointAt(existing, app, host, cidrs, group);
        else await this.createRule(app, part, host, cidrs, group, priorities);
      }
      for (const extra of mine.filter((r) => r.part >= parts.length)) {
        await this.send('DeleteRule', (sdk) => new sdk.DeleteRuleCommand({ RuleArn: extra.arn }));
      }
      this.logger.info('Review app routed', { project: app.project, mr: app.mr, host });
      return { url: appLink(host, await this.listener()) };
    } catch (error) {
      // A new app that found no room leaves nothing behind.
      if (created && mine.length === 0) await this.deleteTargetGroup(group).catch(() => undefined);
      throw error;
    }
  }

  async health(app: RoutedApp): Promise<RouteHealth> {
    const group = await this.findTargetGroup(targetGroupName(app));
    if (!group) return { state: 'missing' };
    let answer: {
      TargetHealthDescriptions?: {
        TargetHealth?: { State?: string; Reason?: string; Description?: string };
      }[];
    };
    try {
      answer = await this.send(
        'DescribeTargetHealth',
        (sdk) =>
          new sdk.DescribeTargetHealthCommand({
            TargetGroupArn: group,
            Targets: [{ Id: app.ip, Port: app.port }],
          }),
      );
    } catch (error) {
      if (awsName(error) !== 'TargetGroupNotFoundException') throw error;
      // Deleted behind the bot's back: found again (or made) by the next route.
      this.groups.delete(targetGroupName(app));
      return { state: 'missing' };
    }
    const health = answer.TargetHealthDescriptions?.[0]?.TargetHealth;
    const state = health?.State;
    if (!state || state === 'unavailable' || health.Reason === 'Target.NotRegistered') {
      return { state: 'missing' };
    }
    return {
      state: state as RouteHealth['state'],
      ...(health.Reason ? { reason: health.Reason } : {}),
      ...(health.Description ? { description: health.Description } : {}),
    };
  }

  async ended(app: RoutedAppKey, page: { text: string; until: number }): Promise<void> {
    const mine = (await this.rules()).rules.filter((r) => sameApp(r.app, app));
    for (const rule of mine) {
      await this.send(
        'ModifyRule',
        (sdk) =>
          new sdk.ModifyRuleCommand({
            RuleArn: rule.arn,
            Actions: actions(this.settings, { page: page.text }, secretFor(rule)),
          }),
      );
      await this.tag(rule.arn, app, {
        state: 'ended',
        endedUntil: new Date(page.until).toISOString(),
      });
    }
    const group = await this.findTargetGroup(targetGroupName(app));
    if (group) await this.deleteTargetGroup(group).catch(() => undefined);
  }

  async sweep(apps: Parameters<AppRouter['sweep']>[0], now: number): Promise<{ removed: number }> {
    const isLive = memberOf(apps.live);
    const { rules } = await this.rules();
    // The ended pages still up: their MRs may have been merged or closed since they ended.
    const showing = rules.filter(
      (rule) =>
        !isLive(rule.app) &&
        rule.tags[ROUTE_TAGS.state] === 'ended' &&
        !this.expired(rule, now, false),
    );
    const closedSince =
      showing.length > 0 && apps.closedOf
        ? await apps
            .closedOf(uniqueApps(showing.map((rule) => rule.app)))
            .catch((error: unknown) => {
              this.logger.warn('could not ask GitLab about the MRs of ended apps', { error });
              return [];
            })
        : [];
    const closed = [...(apps.closed ?? []), ...closedSince];
    const gone = await this.gone(rules, apps.live, closed, now);
    let removed = 0;
    for (const rule of gone.rules) {
      await this.send('DeleteRule', (sdk) => new sdk.DeleteRuleCommand({ RuleArn: rule.arn }));
      removed += 1;
    }
    for (const group of gone.targetGroups) {
      if (await this.deleteTargetGroup(group.arn)) removed += 1;
    }
    if (removed > 0) this.logger.info('Load balancer swept', { removed });
    return { removed };
  }

  /**
   * What the next sweep would remove, read-only (for doctor): rules and target groups of
   * apps not in `live` whose ended page is over, or that show none.
   */
  async leftovers(
    live: RoutedAppKey[],
    now: number,
  ): Promise<{ rules: RoutedAppKey[]; targetGroups: RoutedAppKey[] }> {
    const gone = await this.gone((await this.rules()).rules, live, [], now);
    return {
      rules: gone.rules.map((rule) => rule.app),
      targetGroups: gone.targetGroups.map((group) => group.app),
    };
  }

  /** The rules and target groups of apps that are gone, rules first (a rule holds its group). */
  private async gone(rules: OurRule[], live: RoutedAppKey[], closed: RoutedAppKey[], now: number) {
    const isLive = memberOf(live);
    const isClosed = memberOf(closed);
    const kept: OurRule[] = [];
    const goneRules: OurRule[] = [];
    for (const rule of rules) {
      if (isLive(rule.app) || !this.expired(rule, now, isClosed(rule.app))) kept.push(rule);
      else goneRules.push(rule);
    }
    const used = new Set(kept.flatMap((r) => forwardedTo(r.rule)));
    const targetGroups = (await this.ourTargetGroups()).filter(
      (group) => !used.has(group.arn) && !isLive(group.app),
    );
    return { rules: goneRules, targetGroups };
  }

  async room(): Promise<RouteRoom> {
    const { loadBalancerArn } = await this.listener();
    const { Listeners = [] } = await this.send<{
      Listeners?: { ListenerArn?: string; DefaultActions?: Rule['Actions'] }[];
    }>(
      'DescribeListeners',
      (sdk) => new sdk.DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }),
    );
    let rules = 0;
    const groups = new Set<string>();
    for (const listener of Listeners) {
      for (const rule of await this.describeRules(listener.ListenerArn ?? '')) {
        if (!rule.IsDefault) rules += 1;
        for (const arn of forwardedTo(rule)) groups.add(arn);
      }
    }
    return {
      rules: { used: rules, max: MAX_RULES },
      targetGroups: { used: groups.size, max: MAX_TARGET_GROUPS },
      rulesPerApp: networkParts(this.settings).length,
    };
  }

  private expired(rule: OurRule, now: number, closed: boolean): boolean {
    if (closed) return true;
    if (rule.tags[ROUTE_TAGS.state] === 'ended') {
      const until = Date.parse(rule.tags[ROUTE_TAGS.endedUntil] ?? '');
      return Number.isNaN(until) || until <= now;
    }
    // Live, but its app is gone (the bot was down when it ended): once past a launch's time.
    const routedAt = Date.parse(rule.tags[ROUTE_TAGS.routedAt] ?? '');
    return Number.isNaN(routedAt) || routedAt + LAUNCH_GRACE_MS <= now;
  }

  private async pointAt(
    rule: OurRule,
    app: RoutedApp,
    host: string,
    cidrs: string[] | undefined,
    group: string,
  ) {
    const already =
      forwardedTo(rule.rule).includes(group) &&
      rule.tags[ROUTE_TAGS.state] !== 'ended' &&
      sameConditions(rule.rule, conditions(host, cidrs));
    if (!already) {
      await this.send(
        'ModifyRule',
        (sdk) =>
          new sdk.ModifyRuleCommand({
            RuleArn: rule.arn,
            Conditions: conditions(host, cidrs),
            Actions: actions(this.settings, { forward: group }, secretFor(rule)),
          }),
      );
    }
    if (!already || rule.tags[ROUTE_TAGS.task] !== app.taskArn) {
      await this.tag(rule.arn, app, {
        state: 'live',
        endedUntil: '',
        task: app.taskArn,
        routedAt: this.iso(),
      });
    }
  }

  private async createRule(
    app: RoutedApp,
    part: number,
    host: string,
    cidrs: string[] | undefined,
    group: string,
    priorities: Set<number>,
  ): Promise<void> {
    // Two launches may pick the same free priority: the one refused takes the next.
    for (let attempt = 0; ; attempt += 1) {
      const priority = freePriority(priorities, this.settings.firstPriority);
      priorities.add(priority);
      try {
        await this.send(
          'CreateRule',
          (sdk) =>
            new sdk.CreateRuleCommand({
              ListenerArn: this.settings.listenerArn,
              Priority: priority,
              Conditions: conditions(host, cidrs),
              Actions: actions(this.settings, { forward: group }, 'send'),
              Tags: routeTags(app, {
                part: String(part),
                state: 'live',
                task: app.taskArn,
                routedAt: this.iso(),
              }),
            }),
        );
        return;
      } catch (error) {
        const name = awsName(error);
        if (name === 'PriorityInUseException' && attempt < 5) continue;
        if (name === 'TooManyRulesException') throw full('rules', MAX_RULES, MAX_RULES);
        if (name === 'TooManyUniqueTargetGroupsPerLoadBalancerException') {
          throw full('target-groups', MAX_TARGET_GROUPS, MAX_TARGET_GROUPS);
        }
        throw error;
      }
    }
  }

  private async targetGroup(app: RoutedApp): Promise<{ arn: string; created: boolean }> {
    const name = targetGroupName(app);
    const found = await this.findTargetGroup(name);
    if (found) return { arn: found, created: false };
    const { vpcId } = await this.listener();
    let created: { TargetGroups?: { TargetGroupArn?: string }[] };
    try {
      created = await this.send(
        'CreateTargetGroup',
        (sdk) =>
          new sdk.CreateTargetGroupCommand({
            ...targetGroupInput(name, vpcId, app.port, this.settings),
            Tags: routeTags(app, { task: app.taskArn }),
          }),
      );
    } catch (error) {
      if (awsName(error) === 'TooManyTargetGroupsException') {
        throw full('target-groups', MAX_TARGET_GROUPS, MAX_TARGET_GROUPS);
      }
      // Made meanwhile by a launch of the same app.
      const again =
        awsName(error) === 'DuplicateTargetGroupNameException' &&
        (await this.findTargetGroup(name));
      if (again) return { arn: again, created: false };
      throw error;
    }
    const arn = created.TargetGroups?.[0]?.TargetGroupArn as string;
    this.groups.set(name, arn);
    await this.send(
      'ModifyTargetGroupAttributes',
      (sdk) =>
        new sdk.ModifyTargetGroupAttributesCommand({
          TargetGroupArn: arn,
          Attributes: [
            {
              Key: 'deregistration_delay.timeout_seconds',
              Value: String(this.settings.deregistrationDelaySeconds),
            },
          ],
        }),
    );
    return { arn, created: true };
  }

  /** The app's `ip:port` into the group (a group made for it holds no target yet). */
  private async registerFirst(group: string, app: RoutedApp): Promise<void> {
    await this.send(
      'RegisterTargets',
      (sdk) =>
        new sdk.RegisterTargetsCommand({
          TargetGroupArn: group,
          Targets: [{ Id: app.ip, Port: app.port }],
        }),
    );
  }

  /** The new task's `ip:port` in, every earlier one out (relaunch keeps the group). */
  private async swapTargets(group: string, app: RoutedApp): Promise<void> {
    const { TargetHealthDescriptions = [] } = await this.send<{
      TargetHealthDescriptions?: {
        Target?: { Id?: string; Port?: number };
        TargetHealth?: { State?: string };
      }[];
    }>(
      'DescribeTargetHealth',
      (sdk) => new sdk.DescribeTargetHealthCommand({ TargetGroupArn: group }),
    );
    const current = TargetHealthDescriptions.filter(
      (d) => d.TargetHealth?.State !== 'draining',
    ).map((d) => d.Target);
    if (!current.some((t) => t?.Id === app.ip && t?.Port === app.port)) {
      await this.registerFirst(group, app);
    }
    const old = current.filter((t) => t && !(t.Id === app.ip && t.Port === app.port));
    if (old.length > 0) {
      await this.send(
        'DeregisterTargets',
        (sdk) =>
          new sdk.DeregisterTargetsCommand({
            TargetGroupArn: group,
            Targets: old.map((t) => ({ Id: t?.Id, Port: t?.Port })),
          }),
      );
    }
    await this.send(
      'AddTags',
      (sdk) =>
        new sdk.AddTagsCommand({
          ResourceArns: [group],
          Tags: routeTags(app, { task: app.taskArn }),
        }),
    );
  }

  private async findTargetGroup(name: string): Promise<string | undefined> {
    const cached = this.groups.get(name);
    if (cached) return cached;
    try {
      const { TargetGroups = [] } = await this.send<{
        TargetGroups?: { TargetGroupArn?: string }[];
      }>('DescribeTargetGroups', (sdk) => new sdk.DescribeTargetGroupsCommand({ Names: [name] }));
      const arn = TargetGroups[0]?.TargetGroupArn;
      if (arn) this.groups.set(name, arn);
      return arn;
    } catch (error) {
      if (awsName(error) === 'TargetGroupNotFoundException') return undefined;
      throw error;
    }
  }

  /** Deleted, or false when a rule still uses it (the next sweep tries again). */
  private async deleteTargetGroup(arn: string): Promise<boolean> {
    try {
      await this.send(
        'DeleteTargetGroup',
        (sdk) => new sdk.DeleteTargetGroupCommand({ TargetGroupArn: arn }),
      );
    } catch (error) {
      if (awsName(error) === 'ResourceInUseException') return false;
      throw error;
    }
    for (const [name, cached] of this.groups) if (cached === arn) this.groups.delete(name);
    return true;
  }

  /** The listener's rules the bot made (by their tags), and every priority in use. */
  private async rules(): Promise<{ rules: OurRule[]; priorities: Set<number> }> {
    const all = (await this.describeRules(this.settings.listenerArn)).filter((r) => !r.IsDefault);
    const tags = await this.tagsOf(all.map((r) => r.RuleArn ?? ''));
    const rules: OurRule[] = [];
    for (const rule of all) {
      const owned = appOfTags(tags.get(rule.RuleArn ?? ''));
      if (!owned) continue;
      const host = rule.Conditions?.find((c) => c.Field === 'host-header')?.HostHeaderConfig
        ?.Values?.[0];
      rules.push({
        arn: rule.RuleArn ?? '',
        priority: Number(rule.Priority),
        ...owned,
        part: Number(owned.tags[ROUTE_TAGS.part] ?? 0),
        host,
        rule,
      });
    }
    return { rules, priorities: new Set(all.map((r) => Number(r.Priority))) };
  }

  private async describeRules(listenerArn: string): Promise<Rule[]> {
    const rules: Rule[] = [];
    let marker: string | undefined;
    do {
      const page = await this.send<{ Rules?: Rule[]; NextMarker?: string }>(
        'DescribeRules',
        (sdk) =>
          new sdk.DescribeRulesCommand({
            ListenerArn: listenerArn,
            PageSize: 400,
            ...(marker ? { Marker: marker } : {}),
          }),
      );
      rules.push(...(page.Rules ?? []));
      marker = page.NextMarker;
    } while (marker);
    return rules;
  }

  /** The bot's target groups: named `ra-…`, tagged with their app. */
  private async ourTargetGroups(): Promise<{ arn: string; app: RoutedAppKey }[]> {
    const groups: string[] = [];
    let marker: string | undefined;
    do {
      const page = await this.send<{
        TargetGroups?: { TargetGroupArn?: string; TargetGroupName?: string }[];
        NextMarker?: string;
      }>(
        'DescribeTargetGroups',
        (sdk) =>
          new sdk.DescribeTargetGroupsCommand({
            PageSize: 400,
            ...(marker ? { Marker: marker } : {}),
          }),
      );
      for (const g of page.TargetGroups ?? []) {
        if (g.TargetGroupArn && g.TargetGroupName?.startsWith('ra-')) groups.push(g.TargetGroupArn);
      }
      marker = page.NextMarker;
    } while (marker);
    const tags = await this.tagsOf(groups);
    return groups.flatMap((arn) => {
      const owned = appOfTags(tags.get(arn));
      return owned ? [{ arn, app: owned.app }] : [];
    });
  }

  private async tagsOf(arns: string[]): Promise<Map<string, Tag[]>> {
    const tags = new Map<string, Tag[]>();
    for (let i = 0; i < arns.length; i += TAGS_PER_CALL) {
      const { TagDescriptions = [] } = await this.send<{
        TagDescriptions?: { ResourceArn?: string; Tags?: Tag[] }[];
      }>(
        'DescribeTags',
        (sdk) => new sdk.DescribeTagsCommand({ ResourceArns: arns.slice(i, i + TAGS_PER_CALL) }),
      );
      for (const d of TagDescriptions) tags.set(d.ResourceArn ?? '', d.Tags ?? []);
    }
    return tags;
  }

  private tag(
    arn: string,
    app: RoutedAppKey,
    extra: Parameters<typeof routeTags>[1],
  ): Promise<unknown> {
    return this.send(
      'AddTags',
      (sdk) => new sdk.AddTagsCommand({ ResourceArns: [arn], Tags: routeTags(app, extra) }),
    );
  }

  private async readListener() {
    const { listenerArn } = this.settings;
    const { Listeners = [] } = await this.send<{
      Listeners?: { LoadBalancerArn?: string; Protocol?: string; Port?: number }[];
    }>(
      'DescribeListeners',
      (sdk) => new sdk.DescribeListenersCommand({ ListenerArns: [listenerArn] }),
    );
    const listener = Listeners[0];
    const loadBalancerArn = listener?.LoadBalancerArn ?? '';
    const { LoadBalancers = [] } = await this.send<{ LoadBalancers?: { VpcId?: string }[] }>(
      'DescribeLoadBalancers',
      (sdk) => new sdk.DescribeLoadBalancersCommand({ LoadBalancerArns: [loadBalancerArn] }),
    );
    return {
      loadBalancerArn,
      vpcId: LoadBalancers[0]?.VpcId ?? '',
      // How the names' links are written (see appLink).
      ...(listener?.Protocol ? { protocol: listener.Protocol } : {}),
      ...(listener?.Port !== undefined ? { port: listener.Port } : {}),
    };
  }

  private async send<O = unknown>(action: string, build: (sdk: Sdk) => object): Promise<O> {
    const { client, sdk } = await this.clients.elbv2();
    return callAws(`elasticloadbalancing:${action}`, () =>
      client.send(build(sdk) as Parameters<typeof client.send>[0]),
    ) as Promise<O>;
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

function forwardedTo(rule: Pick<Rule, 'Actions'>): string[] {
  return (rule.Actions ?? []).flatMap((a) =>
    a.Type !== 'forward'
      ? []
      : (a.ForwardConfig?.TargetGroups?.map((g) => g.TargetGroupArn ?? '') ?? [
          a.TargetGroupArn ?? '',
        ]),
  );
}

/** The same host and the same networks (conditions as DescribeRules shows them). */
function sameConditions(rule: Rule, wanted: RuleCondition[]): boolean {
  const shape = (list: RuleCondition[]) =>
    JSON.stringify(
      list
        .map((c) => [
          c.Field,
          c.HostHeaderConfig?.Values ?? c.SourceIpConfig?.Values ?? c.Values ?? [],
        ])
        .sort(),
    );
  return shape(rule.Conditions ?? []) === shape(wanted);
}

/** ModifyRule may keep the secret the rule holds; a rule without sign-in yet needs it sent. */
const secretFor = (rule: OurRule): 'send' | 'keep' =>
  rule.rule.Actions?.some((a) => a.Type === 'authenticate-oidc') ? 'keep' : 'send';

function freePriority(taken: Set<number>, first: number): number {
  for (let p = first; p <= 50_000; p += 1) if (!taken.has(p)) return p;
  throw full('rules', taken.size, MAX_RULES);
}

const awsName = (error: unknown) =>
  isReviewAppError(error, 'AWS_ERROR')
    ? error.details.awsError
    : (error as { name?: string })?.name;

function full(limit: 'rules' | 'target-groups', used: number, max: number): ReviewAppError {
  const what =
    limit === 'rules' ? `rules (${used} of ${max})` : `target groups (${used} of ${max})`;
  return new ReviewAppError(
    'ROUTES_FULL',
    `The load balancer has no room for another review app: its ${what} are all in use. Stop an app nobody needs any more and try again.`,
    { limit, used, max },
    {
      hint: {
        operator:
          limit === 'rules'
            ? 'The rules quota of an Application Load Balancer (100 by default) can be raised in Service Quotas; keep MAX_RUNNING_APPS within it.'
            : 'An Application Load Balancer holds at most 100 target groups (not adjustable); keep MAX_RUNNING_APPS below it.',
      },
    },
  );
}

const keyOf = (app: RoutedAppKey) => `${app.project}!${app.mr}`;

/**
 * Whether an app is one of `apps`, looked up by key: a sweep asks it of every rule and
 * target group, and with 1,000 of each against 1,000 live apps a scan of the list each
 * time was a million comparisons, run in one synchronous stretch (docs/performance.md).
 */
function memberOf(apps: RoutedAppKey[]): (app: RoutedAppKey) => boolean {
  const keys = new Set(apps.map(keyOf));
  return (app) => keys.has(keyOf(app));
}

/** Each app once (an app with several networks has several rules). */
function uniqueApps(apps: RoutedAppKey[]): RoutedAppKey[] {
  return [...new Map(apps.map((app) => [keyOf(app), app])).values()];
}
