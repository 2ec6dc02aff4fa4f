import { AwsError } from './aws-shared.js';

/**
 * Subnets and security groups as EC2 describes them (query protocol, XML),
 * for `DescribeSubnets` and `DescribeSecurityGroups` by id. Shapes follow the
 * EC2 API reference (API_Subnet, API_SecurityGroup: `subnetSet` and
 * `securityGroupInfo` lists of `item`); errors are EC2's own codes:
 * `InvalidSubnetID.NotFound` / `InvalidGroup.NotFound` for an unknown id, and
 * `InvalidSubnetID.Malformed` / `InvalidGroupId.Malformed` for a malformed one.
 */

/** The VPC that tasks' network interfaces are placed in. */
export const DEFAULT_VPC = 'vpc-0a1b2c3d4e5f60718';

export interface Ec2Subnet {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  cidrBlock: string;
}

/**
 * An inbound rule as DescribeSecurityGroups shows it (API_IpPermission): a protocol
 * (`tcp`, or `-1` for every protocol, then without ports), a port range, and where
 * traffic may come from: other security groups (`groups`, API_UserIdGroupPair) or
 * networks (`ipRanges`, API_IpRange).
 */
export interface Ec2Ingress {
  protocol: 'tcp' | '-1';
  fromPort?: number;
  toPort?: number;
  groups?: string[];
  cidrs?: string[];
}

export interface Ec2SecurityGroup {
  groupId: string;
  vpcId: string;
  groupName: string;
  ingress: Ec2Ingress[];
}

export class Ec2Network {
  private readonly subnets = new Map<string, Ec2Subnet>();
  private readonly groups = new Map<string, Ec2SecurityGroup>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  addSubnet(input: { subnetId: string; vpcId?: string; availabilityZone?: string }): Ec2Subnet {
    const subnet: Ec2Subnet = {
      subnetId: input.subnetId,
      vpcId: input.vpcId ?? DEFAULT_VPC,
      availabilityZone: input.availabilityZone ?? `${this.region}a`,
      cidrBlock: `10.0.${this.subnets.size * 16}.0/20`,
    };
    this.subnets.set(subnet.subnetId, subnet);
    return subnet;
  }

  addSecurityGroup(input: {
    groupId: string;
    vpcId?: string;
    groupName?: string;
    ingress?: Ec2Ingress[];
  }) {
    const group: Ec2SecurityGroup = {
      groupId: input.groupId,
      vpcId: input.vpcId ?? DEFAULT_VPC,
      groupName: input.groupName ?? 'review-apps',
      ingress: input.ingress ?? [],
    };
    this.groups.set(group.groupId, group);
    return group;
  }

  /** The subnets of a VPC (where a load balancer's IP targets must be). */
  subnetsOf(vpcId: string): Ec2Subnet[] {
    return [...this.subnets.values()].filter((s) => s.vpcId === vpcId);
  }

  subnet(subnetId: string): Ec2Subnet | undefined {
    return this.subnets.get(subnetId);
  }

  /** The XML body of DescribeSubnets for `SubnetId.N` (all subnets when none is given). */
  describeSubnets(ids: string[]): string {
    const selected = pick(this.subnets, ids, {
      shape: /^subnet-[0-9a-f]{8}([0-9a-f]{9})?$/,
      malformed: (id) => new AwsError('InvalidSubnetID.Malformed', `Invalid id: "${id}"`),
      missing: (id) =>
        new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`),
    });
    const items = selected.map(
      (s) =>
        '<item>' +
        `<subnetId>${s.subnetId}</subnetId>` +
        `<subnetArn>arn:aws:ec2:${this.region}:${this.accountId}:subnet/${s.subnetId}</subnetArn>` +
        '<state>available</state>' +
        `<vpcId>${s.vpcId}</vpcId>` +
        `<cidrBlock>${s.cidrBlock}</cidrBlock>` +
        '<availableIpAddressCount>4091</availableIpAddressCount>' +
        `<availabilityZone>${s.availabilityZone}</availabilityZone>` +
        '<defaultForAz>false</defaultForAz><mapPublicIpOnLaunch>false</mapPublicIpOnLaunch>' +
        `<ownerId>${this.accountId}</ownerId>` +
        '</item>',
    );
    return `<subnetSet>${items.join('')}</subnetSet>`;
  }

  /** The XML body of DescribeSecurityGroups for `GroupId.N` (all groups when none is given). */
  describeSecurityGroups(ids: string[]): string {
    const selected = pick(this.groups, ids, {
      shape: /^sg-[0-9a-f]{8}([0-9a-f]{9})?$/,
      malformed: (id) =>
        new AwsError('InvalidGroupId.Malformed', `Invalid id: "${id}" (expecting "sg-...")`),
      missing: (id) =>
        new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`),
    });
    const items = selected.map(
      (g) =>
        '<item>' +
        `<ownerId>${this.accountId}</ownerId>` +
        `<groupId>${g.groupId}</groupId>` +
        `<groupName>${g.groupName}</groupName>` +
        '<groupDescription>Review apps</groupDescription>' +
        `<vpcId>${g.vpcId}</vpcId>` +
        `<ipPermissions>${g.ingress.map((rule) => this.permission(rule)).join('')}</ipPermissions>` +
        '<ipPermissionsEgress/>' +
        '</item>',
    );
    return `<securityGroupInfo>${items.join('')}</securityGroupInfo>`;
  }

  private permission(rule: Ec2Ingress): string {
    const ports =
      rule.protocol === '-1'
        ? ''
        : `<fromPort>${rule.fromPort}</fromPort><toPort>${rule.toPort}</toPort>`;
    const groups = (rule.groups ?? [])
      .map((id) => `<item><userId>${this.accountId}</userId><groupId>${id}</groupId></item>`)
      .join('');
    const ranges = (rule.cidrs ?? [])
      .map((cidr) => `<item><cidrIp>${cidr}</cidrIp></item>`)
      .join('');
    return `<item><ipProtocol>${rule.protocol}</ipProtocol>${ports}<groups>${groups}</groups><ipRanges>${ranges}</ipRanges><ipv6Ranges/><prefixListIds/></item>`;
  }
}

/**
 * The items a Describe call asks for by id, or all of them when it names none.
 * EC2 checks every id's shape before it looks any up.
 */
function pick<T>(
  items: Map<string, T>,
  ids: string[],
  errors: { shape: RegExp; malformed(id: string): AwsError; missing(id: string): AwsError },
): T[] {
  const malformed = ids.find((id) => !errors.shape.test(id));
  if (malformed !== undefined) throw errors.malformed(malformed);
  if (ids.length === 0) return [...items.values()];
  return ids.map((id) => {
    const item = items.get(id);
    if (item === undefined) throw errors.missing(id);
    return item;
  });
}
