import { type CheckResult, failed, failedWith, passed } from '../core/check.js';
import { createLogger } from '../core/logger.js';
import type { RoutedAppKey } from '../core/ports.js';
import { plural } from '../core/words.js';
import type { AwsClients } from './clients.js';
import { callAws } from './errors.js';
import { AlbRouter } from './load-balancer.js';
import { CIDRS_PER_RULE, hostName } from './load-balancer-rules.js';
import type { EcsSettings, LoadBalancerSettings } from './settings.js';

/** What the checks need of the apps behind the load balancer. */
export interface RoutedApps {
  /** The app's port (REVIEW_APP_PORT), when set; otherwise it is the task definition's. */
  port?: number | undefined;
  /** How many apps may run at once behind it: MAX_RUNNING_APPS, of every project. */
  maxRunning?: number | undefined;
  /** The apps running now, of every project: what the load balancer may hold rules for. */
  live?: () => Promise<RoutedAppKey[]>;
  /** Now, for the ended pages' deadlines and the certificates' expiry. */
  now?: () => number;
  /**
   * Names the bot gives apps (one per project: `exampleHost`), which the listener's
   * certificates must cover; by default one made of `settings`.
   */
  hosts?: string[];
  /**
   * Each project's task security groups and app port, which must admit the load balancer;
   * by default `ecs.securityGroups` on `port`. Projects with the same ones are one line.
   */
  tasks?: { project?: string; securityGroups: string[]; port?: number | undefined }[];
}

/** A name the bot would give an app of `project`: its template over the domain, for MR 42. */
export function exampleHost(settings: LoadBalancerSettings, project = 'acme/shop'): string {
  // {random} is ten letters and digits: any such label tells what a certificate covers.
  const template = settings.hostTemplate.replaceAll('{random}', 'k3x9q2m7pa');
  return hostName({ project, mr: 42 }, { ...settings, hostTemplate: template });
}

/**
 * What `review-app doctor` asks of the shared load balancer, read-only: the
 * listener (HTTPS), its VPC against the tasks' subnets, whether the tasks' security
 * groups admit it, and how much of its fixed room (100 rules, 100 target groups) is
 * taken, and would be with MAX_RUNNING_APPS apps.
 */
export async function loadBalancerChecks(
  clients: AwsClients,
  settings: LoadBalancerSettings,
  ecs: EcsSettings,
  apps: RoutedApps = {},
): Promise<CheckResult[]> {
  const { client, sdk } = await clients.elbv2();
  let listener:
    | {
        LoadBalancerArn?: string;
        Protocol?: string;
        Port?: number;
        Certificates?: { CertificateArn?: string }[];
      }
    | undefined;
  try {
    const answer = await callAws('elasticloadbalancing:DescribeListeners', () =>
      client.send(new sdk.DescribeListenersCommand({ ListenerArns: [settings.listenerArn] })),
    );
    listener = answer.Listeners?.[0];
  } catch (error) {
    const name = (error as { details?: { awsError?: string } }).details?.awsError;
    if (name !== 'ListenerNotFoundException') return [failedWith('Load balancer listener', error)];
  }
  if (!listener?.LoadBalancerArn) {
    return [
      failed(
        'Load balancer listener',
        'LOAD_BALANCER_LISTENER_ARN names no listener in this region: copy the HTTPS listener ARN from the load balancer.',
      ),
    ];
  }
  const https = listener.Protocol === 'HTTPS';
  const results: CheckResult[] = [
    https
      ? passed('Load balancer listener', `HTTPS on port ${listener.Port}.`)
      : failed(
          'Load balancer listener',
          `The listener speaks ${listener.Protocol}, not HTTPS: review apps need an HTTPS listener with the wildcard certificate of *.${settings.domain}.`,
        ),
  ];
  if (https) {
    const hosts = apps.hosts?.length ? apps.hosts : [exampleHost(settings)];
    results.push(await certificateCheck(clients, listener, settings, hosts, apps.now ?? Date.now));
  }
  let balancer: Awaited<ReturnType<typeof describeBalancer>>;
  try {
    balancer = await describeBalancer(clients, listener.LoadBalancerArn);
  } catch (error) {
    results.push(failedWith('Load balancer VPC', error));
  }
  if (balancer) {
    results.push(await vpcCheck(clients, balancer.VpcId, ecs));
    const tasks = apps.tasks ?? [{ securityGroups: ecs.securityGroups, port: apps.port }];
    const distinct = new Map<string, (typeof tasks)[number]>();
    for (const task of tasks) {
      const key = `${[...task.securityGroups].sort().join(',')} ${task.port ?? ''}`;
      const seen = distinct.get(key);
      distinct.set(key, seen ? { ...seen, project: undefined } : task);
    }
    for (const task of distinct.values()) {
      const check = await securityGroupCheck(
        clients,
        balancer.SecurityGroups ?? [],
        task.securityGroups,
        task.port,
      );
      const of = distinct.size > 1 && task.project ? ` of ${task.project}` : '';
      results.push({ ...check, name: `${check.name}${of}` });
    }
  }
  try {
    const router = new AlbRouter(clients, settings, createLogger({ secrets: [], write: () => {} }));
    const room = await router.room();
    const detail = `${room.rules.used} of ${room.rules.max} rules and ${room.targetGroups.used} of ${room.targetGroups.max} target groups in use; each app takes ${room.rulesPerApp} rule(s) and 1 target group.`;
    const full =
      room.rules.used + room.rulesPerApp > room.rules.max ||
      room.targetGroups.used >= room.targetGroups.max;
    // Rules of other listeners' apps are not ours to count: the bot's own need is the cap.
    const wanted = (apps.maxRunning ?? 0) * room.rulesPerApp;
    results.push(
      full
        ? failed(
            'Load balancer room',
            `${detail} No new app fits: stop apps, or raise the rules quota.`,
          )
        : wanted > room.rules.max
          ? failed(
              'Load balancer room',
              `${detail} MAX_RUNNING_APPS lets ${apps.maxRunning} apps run, which take ${wanted} rules, more than the listener's ${room.rules.max}: launches past that are refused. Lower MAX_RUNNING_APPS, use fewer ALLOWED_SOURCE_CIDRS (${CIDRS_PER_RULE} a rule), or raise the "Rules per Application Load Balancer" quota.`,
            )
          : passed('Load balancer room', detail),
    );
    if (apps.live) results.push(await leftoversCheck(router, apps.live, apps.now ?? Date.now));
  } catch (error) {
    results.push(failedWith('Load balancer room', error));
  }
  return results;
}

/** What the check needs of one of the listener's certificates. */
interface ListenerCertificate {
  arn: string;
  /** From ACM; absent for a certificate imported into IAM, which ACM cannot describe. */
  names?: string[];
  status?: string;
  notAfter?: Date;
}

/**
 * Whether the listener's certificates cover the names the bot gives apps, and are
 * issued and valid. The listener's default certificate comes with DescribeListeners;
 * the others it holds (picked by SNI) only from DescribeListenerCertificates, which
 * lists the default too (ELB API reference, DescribeListenerCertificates). Their
 * names and status are ACM's (DescribeCertificate: DomainName, SubjectAlternativeNames,
 * Status, NotAfter). A certificate imported into IAM instead (`arn:aws:iam::...:
 * server-certificate/...`) is not ACM's to describe: its names go unchecked.
 */
async function certificateCheck(
  clients: AwsClients,
  listener: { Certificates?: { CertificateArn?: string }[] },
  settings: LoadBalancerSettings,
  hosts: string[],
  now: () => number,
): Promise<CheckResult> {
  const name = 'Load balancer certificate';
  const wanted = `*.${settings.domain}`;
  const fix = `request a wildcard certificate for ${wanted} in ACM (validated by DNS, so that ACM renews it) and add it to the listener`;
  try {
    const { client, sdk } = await clients.elbv2();
    const listed: { CertificateArn?: string }[] = [];
    let marker: string | undefined;
    do {
      const page = await callAws('elasticloadbalancing:DescribeListenerCertificates', () =>
        client.send(
          new sdk.DescribeListenerCertificatesCommand({
            ListenerArn: settings.listenerArn,
            ...(marker ? { Marker: marker } : {}),
          }),
        ),
      );
      listed.push(...(page.Certificates ?? []));
      marker = page.NextMarker;
    } while (marker);
    const arns = [
      ...new Set(
        [...(listener.Certificates ?? []), ...listed]
          .map((certificate) => certificate.CertificateArn)
          .filter((arn): arn is string => Boolean(arn)),
      ),
    ];
    if (arns.length === 0) return failed(name, `The listener has no certificate: ${fix}.`);
    const certificates = await Promise.all(arns.map((arn) => describeCertificate(clients, arn)));
    const valid = (c: ListenerCertificate) =>
      c.status === 'ISSUED' && (c.notAfter === undefined || c.notAfter.getTime() > now());
    const fromAcm = certificates.filter((c) => c.names);
    const imported = certificates.filter((c) => !c.names).map((c) => iamName(c.arn));
    const uncovered = hosts.filter(
      (host) => !fromAcm.some((c) => valid(c) && c.names?.some((n) => covers(n, host))),
    );
    if (uncovered.length === 0) {
      const used = fromAcm.filter(
        (c) => valid(c) && hosts.some((h) => c.names?.some((n) => covers(n, h))),
      );
      const shown = used
        .map((c) => `${c.names?.[0]} (issued, valid until ${day(c.notAfter)})`)
        .join(', ');
      return passed(name, `${shown} ${used.length > 1 ? 'cover' : 'covers'} ${hosts.join(', ')}.`);
    }
    const host = uncovered.join(', ');
    // A covering certificate that is not usable says what to do about that one.
    const unusable = fromAcm.find((c) => uncovered.some((h) => c.names?.some((n) => covers(n, h))));
    if (unusable) {
      const what = unusable.names?.[0];
      const expired =
        unusable.status === 'EXPIRED' ||
        (unusable.notAfter !== undefined && unusable.notAfter.getTime() <= now());
      return failed(
        name,
        unusable.status === 'PENDING_VALIDATION'
          ? `The certificate ${what} that would cover ${host} is not issued yet (PENDING_VALIDATION): add the CNAME record ACM shows for it to your DNS, or ${fix}.`
          : expired
            ? `The certificate ${what} that would cover ${host} expired on ${day(unusable.notAfter)}: browsers refuse it. ${capital(fix)}.`
            : `The certificate ${what} that would cover ${host} is ${unusable.status}, not ISSUED: ${fix}.`,
      );
    }
    if (imported.length > 0) {
      // Not ACM's: nothing here can tell its names, so it is not taken as a fault.
      return passed(
        name,
        `The listener's certificate ${imported.join(', ')} is an IAM server certificate, which ACM cannot describe: check that it covers ${host} and has not expired (aws iam get-server-certificate --server-certificate-name ${imported[0]}), or ${fix}.`,
      );
    }
    const held = fromAcm.map((c) => c.names?.join(', ')).join('; ');
    return failed(
      name,
      `No certificate of the listener covers ${host} (it holds ${held}; a wildcard covers one label only): ${fix}.`,
    );
  } catch (error) {
    return failedWith(name, error);
  }
}

async function describeCertificate(clients: AwsClients, arn: string): Promise<ListenerCertificate> {
  if (/^arn:aws[\w-]*:iam::/.test(arn)) return { arn };
  const { client, sdk } = await clients.acm();
  const { Certificate: detail } = await callAws('acm:DescribeCertificate', () =>
    client.send(new sdk.DescribeCertificateCommand({ CertificateArn: arn })),
  );
  const names = [
    ...new Set([detail?.DomainName, ...(detail?.SubjectAlternativeNames ?? [])]),
  ].filter((n): n is string => Boolean(n));
  return {
    arn,
    names,
    ...(detail?.Status ? { status: detail.Status } : {}),
    ...(detail?.NotAfter ? { notAfter: detail.NotAfter } : {}),
  };
}

/**
 * Whether a certificate's name covers a host name: the same name, or a wildcard
 * `*.` left-most label standing for exactly one label, never several and never
 * none (RFC 6125 section 6.4.3); DNS names compare without case.
 */
export function covers(certificateName: string, host: string): boolean {
  const pattern = certificateName.toLowerCase().replace(/\.$/, '');
  const name = host.toLowerCase().replace(/\.$/, '');
  if (!pattern.startsWith('*.')) return pattern === name;
  const dot = name.indexOf('.');
  return dot > 0 && name.slice(dot + 1) === pattern.slice(2);
}

/** `arn:aws:iam::123456789012:server-certificate/path/review` → `review`, as IAM names it. */
const iamName = (arn: string) => arn.split('/').at(-1) ?? arn;
const day = (date: Date | undefined) => date?.toISOString().slice(0, 10) ?? 'an unknown date';
const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** At most this many leftovers are named; the rest are counted. */
const LEFTOVERS_NAMED = 5;

/**
 * Rules and target groups the bot made whose app is gone and whose ended page (if any)
 * is over: the watcher's sweep removes them, so they last only while the bot is down.
 */
async function leftoversCheck(
  router: AlbRouter,
  live: () => Promise<RoutedAppKey[]>,
  now: () => number,
): Promise<CheckResult> {
  const name = 'Load balancer leftovers';
  try {
    const left = await router.leftovers(await live(), now());
    const count = left.rules.length + left.targetGroups.length;
    if (count === 0)
      return passed(
        name,
        'None: every rule and target group the bot made belongs to a running app or shows an ended page.',
      );
    const apps = [
      ...new Set([...left.rules, ...left.targetGroups].map((app) => `${app.project}!${app.mr}`)),
    ];
    const named = apps.slice(0, LEFTOVERS_NAMED).join(', ');
    const more = apps.length > LEFTOVERS_NAMED ? ` and ${apps.length - LEFTOVERS_NAMED} more` : '';
    return failed(
      name,
      `${plural(left.rules.length, 'rule')} and ${plural(left.targetGroups.length, 'target group')} of apps that are gone (${named}${more}): the bot removes them at its next sweep (at start, then every 5 minutes). If it is not running, start it, or delete them: they carry the tags review-app:project and review-app:mr.`,
    );
  } catch (error) {
    return failedWith(name, error);
  }
}

async function describeBalancer(clients: AwsClients, loadBalancerArn: string) {
  const { client, sdk } = await clients.elbv2();
  const balancers = await callAws('elasticloadbalancing:DescribeLoadBalancers', () =>
    client.send(new sdk.DescribeLoadBalancersCommand({ LoadBalancerArns: [loadBalancerArn] })),
  );
  return balancers.LoadBalancers?.[0];
}

async function vpcCheck(
  clients: AwsClients,
  vpc: string | undefined,
  ecs: EcsSettings,
): Promise<CheckResult> {
  const name = 'Load balancer VPC';
  try {
    const ec2 = await clients.ec2();
    const subnets = await callAws('ec2:DescribeSubnets', () =>
      ec2.client.send(new ec2.sdk.DescribeSubnetsCommand({ SubnetIds: ecs.subnets })),
    );
    const elsewhere = (subnets.Subnets ?? []).filter((s) => s.VpcId !== vpc).map((s) => s.SubnetId);
    return elsewhere.length === 0
      ? passed(name, `The tasks' subnets are in the load balancer's VPC ${vpc}.`)
      : failed(
          name,
          `ECS_SUBNETS ${elsewhere.join(', ')} are outside the load balancer's VPC ${vpc}: it can reach only tasks in its own VPC.`,
        );
  } catch (error) {
    return failedWith(name, error);
  }
}

/**
 * The load balancer reaches a task only if one of the task's security groups admits one
 * of the load balancer's on the app port (an inbound rule whose source is that group;
 * ELB guide, "Security groups for your Application Load Balancer": targets should allow
 * traffic from the load balancer's security group). A group open to 0.0.0.0/0 on that
 * port also lets anyone around the load balancer, past its sign-in and networks.
 */
async function securityGroupCheck(
  clients: AwsClients,
  balancerGroups: string[],
  securityGroups: string[],
  port: number | undefined,
): Promise<CheckResult> {
  const name = 'Task security groups';
  const onPort = port === undefined ? 'the app port' : `port ${port}`;
  // Asked for none, DescribeSecurityGroups describes every group of the account.
  if (securityGroups.length === 0)
    return failed(
      name,
      `ECS_SECURITY_GROUPS is not set, so tasks get their VPC's default group: set the group that admits the load balancer's (${balancerGroups.join(', ') || 'none'}) on ${onPort}.`,
    );
  const ecs = { securityGroups };
  try {
    const ec2 = await clients.ec2();
    const answer = await callAws('ec2:DescribeSecurityGroups', () =>
      ec2.client.send(new ec2.sdk.DescribeSecurityGroupsCommand({ GroupIds: ecs.securityGroups })),
    );
    const covers = (rule: { IpProtocol?: string; FromPort?: number; ToPort?: number }) =>
      rule.IpProtocol === '-1' ||
      (rule.IpProtocol === 'tcp' &&
        (port === undefined || ((rule.FromPort ?? 0) <= port && port <= (rule.ToPort ?? 65535))));
    const admitting = (answer.SecurityGroups ?? []).filter((group) =>
      (group.IpPermissions ?? []).some(
        (rule) =>
          covers(rule) &&
          (rule.UserIdGroupPairs ?? []).some((pair) => balancerGroups.includes(pair.GroupId ?? '')),
      ),
    );
    const open = (answer.SecurityGroups ?? []).filter((group) =>
      (group.IpPermissions ?? []).some(
        (rule) =>
          covers(rule) && (rule.IpRanges ?? []).some((range) => range.CidrIp === '0.0.0.0/0'),
      ),
    );
    if (admitting.length === 0) {
      return failed(
        name,
        `No group of ECS_SECURITY_GROUPS (${ecs.securityGroups.join(', ')}) admits the load balancer's (${balancerGroups.join(', ') || 'none'}) on ${onPort}: add an inbound rule for TCP ${port ?? '<app port>'} from ${balancerGroups[0] ?? "the load balancer's security group"}, or health checks will time out.`,
      );
    }
    const admits = `${admitting.map((group) => group.GroupId).join(', ')} admits the load balancer's ${balancerGroups.join(', ')} on ${onPort}.`;
    return open.length > 0
      ? failed(
          name,
          `${admits} But ${open.map((group) => group.GroupId).join(', ')} also admits 0.0.0.0/0 there: anyone can reach the apps around the load balancer. Remove that rule.`,
        )
      : passed(name, admits);
  } catch (error) {
    return failedWith(name, error);
  }
}
