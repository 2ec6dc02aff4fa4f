import { randomUUID } from 'node:crypto';
import type { Ec2Network } from './aws-ec2-network.js';
import type { TaskNetwork } from './aws-ecs-tasks.js';
import { AwsError } from './aws-shared.js';
import type { HttpReply } from './http.js';

/**
 * The EC2 half of the AWS stand-in: the query protocol (form-encoded
 * `Action=...&Version=2016-11-15`) answered in EC2's XML, for the one action
 * the bot needs: `DescribeNetworkInterfaces`, and `DescribeSubnets` and
 * `DescribeSecurityGroups` for `review-app doctor`.
 */

export const EC2_ACTIONS = new Set([
  'DescribeNetworkInterfaces',
  'DescribeSubnets',
  'DescribeSecurityGroups',
]);

export interface Ec2NetworkInterface extends TaskNetwork {
  /** The ECS task that owns the ENI. */
  taskArn: string;
}

const FILTERS: Record<string, (eni: Ec2NetworkInterface) => (string | undefined)[]> = {
  'network-interface-id': (eni) => [eni.networkInterfaceId],
  'addresses.private-ip-address': (eni) => [eni.privateIpAddress],
  'private-ip-address': (eni) => [eni.privateIpAddress],
  'association.public-ip': (eni) => [eni.publicIp],
  'subnet-id': (eni) => [eni.subnetId],
  'vpc-id': (eni) => [eni.vpcId],
  'availability-zone': (eni) => [eni.availabilityZone],
  'group-id': (eni) => eni.securityGroups,
  status: () => ['in-use'],
};

export function handleEc2(
  params: URLSearchParams,
  context: { accountId: string; interfaces: () => Ec2NetworkInterface[]; network: Ec2Network },
): HttpReply {
  const requestId = randomUUID();
  try {
    const action = params.get('Action') ?? '';
    if (!params.get('Version')) {
      throw new AwsError('MissingParameter', 'The request must contain the parameter Version');
    }
    if (!EC2_ACTIONS.has(action)) {
      throw new AwsError(
        'InvalidAction',
        `The action ${action} is not valid for this web service.`,
      );
    }
    const body =
      action === 'DescribeSubnets'
        ? context.network.describeSubnets(numbered(params, 'SubnetId'))
        : action === 'DescribeSecurityGroups'
          ? context.network.describeSecurityGroups(numbered(params, 'GroupId'))
          : describeNetworkInterfaces(params, context);
    return {
      status: 200,
      headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId },
      body:
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">` +
        `<requestId>${requestId}</requestId>${body}</${action}Response>`,
    };
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    return ec2Error(error, requestId);
  }
}

export function ec2Error(error: AwsError, requestId = randomUUID()): HttpReply {
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Response><Errors><Error><Code>${xml(error.code)}</Code><Message>${xml(error.message)}</Message></Error></Errors>` +
      `<RequestID>${requestId}</RequestID></Response>`,
  };
}

function describeNetworkInterfaces(
  params: URLSearchParams,
  context: { accountId: string; interfaces: () => Ec2NetworkInterface[] },
): string {
  const ids = numbered(params, 'NetworkInterfaceId');
  const filters = filtersOf(params);
  const all = context.interfaces();
  for (const id of ids) {
    if (!/^eni-[0-9a-f]{8,17}$/.test(id)) {
      throw new AwsError(
        'InvalidNetworkInterfaceID.Malformed',
        `Invalid id: "${id}" (expecting "eni-...")`,
      );
    }
    if (!all.some((eni) => eni.networkInterfaceId === id)) {
      throw new AwsError(
        'InvalidNetworkInterfaceID.NotFound',
        `The networkInterface ID '${id}' does not exist`,
      );
    }
  }
  const selected = all.filter(
    (eni) =>
      (ids.length === 0 || ids.includes(eni.networkInterfaceId)) &&
      filters.every(({ read, values }) =>
        read(eni).some((actual) => actual !== undefined && values.some((v) => glob(v, actual))),
      ),
  );
  const page = paginate(params, ids.length > 0, selected);
  return (
    `<networkInterfaceSet>${page.items.map((eni) => item(eni, context.accountId)).join('')}</networkInterfaceSet>` +
    (page.nextToken ? `<nextToken>${page.nextToken}</nextToken>` : '')
  );
}

/**
 * EC2's paging: `MaxResults` (5 to 1000 for DescribeNetworkInterfaces) and the
 * `NextToken` of the previous page. "If you call a describe API action with
 * both a list of IDs and MaxResults, the request fails with the error
 * InvalidParameterCombination" (EC2 API reference, Query requests: pagination,
 * as quoted in cilium/cilium#39120; the SDK reference of MaxResults: "You cannot
 * specify this parameter and the network interface IDs parameter in the same
 * request"). Without MaxResults, everything matching comes in one answer.
 */
function paginate<T>(
  params: URLSearchParams,
  byIds: boolean,
  all: T[],
): { items: T[]; nextToken?: string } {
  const max = params.get('MaxResults');
  const token = params.get('NextToken');
  if (max === null) {
    if (token !== null) throw new AwsError('InvalidParameterValue', 'NextToken without MaxResults');
    return { items: all };
  }
  if (byIds) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults',
    );
  }
  const size = Number(max);
  if (!Number.isInteger(size) || size < 5 || size > 1000) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
    );
  }
  const start = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString());
  if (!Number.isInteger(start) || start < 0 || start > all.length) {
    throw new AwsError('InvalidNextToken', 'The token is not valid.');
  }
  const end = start + size;
  return end < all.length
    ? { items: all.slice(start, end), nextToken: Buffer.from(String(end)).toString('base64url') }
    : { items: all.slice(start) };
}

/** `Prefix.1`, `Prefix.2`, ... in order. */
function numbered(params: URLSearchParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i += 1)
    out.push(params.get(`${prefix}.${i}`) ?? '');
  return out;
}

function filtersOf(params: URLSearchParams) {
  const filters: {
    read: (eni: Ec2NetworkInterface) => (string | undefined)[];
    values: string[];
  }[] = [];
  for (let i = 1; params.has(`Filter.${i}.Name`); i += 1) {
    const name = params.get(`Filter.${i}.Name`) ?? '';
    const read = FILTERS[name];
    if (!read) throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
    filters.push({ read, values: numbered(params, `Filter.${i}.Value`) });
  }
  // EC2 refuses more than 200 filter values in one call (apache/druid#1954, gjbae1212/gossm#47).
  const count = filters.reduce((sum, f) => sum + f.values.length, 0);
  if (count > MAX_FILTER_VALUES) {
    throw new AwsError(
      'FilterLimitExceeded',
      `The maximum number of filter values specified on a single call is ${MAX_FILTER_VALUES}`,
    );
  }
  return filters;
}

const MAX_FILTER_VALUES = 200;

/** EC2 filter values allow `*` and `?` wildcards. */
function glob(pattern: string, value: string): boolean {
  // Most values are plain ids: no pattern to build for them (a filter may list up to 200).
  if (!/[*?]/.test(pattern)) return pattern === value;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

function item(eni: Ec2NetworkInterface, accountId: string): string {
  const association = eni.publicIp
    ? `<association><publicIp>${eni.publicIp}</publicIp>` +
      `<publicDnsName>ec2-${eni.publicIp.replaceAll('.', '-')}.compute-1.amazonaws.com</publicDnsName>` +
      '<ipOwnerId>amazon</ipOwnerId></association>'
    : '';
  const groups = eni.securityGroups
    .map((id) => `<item><groupId>${xml(id)}</groupId><groupName>default</groupName></item>`)
    .join('');
  const attachmentArn = eni.taskArn.replace(/:task\/.*$/, `:attachment/${eni.attachmentId}`);
  return (
    '<item>' +
    `<networkInterfaceId>${eni.networkInterfaceId}</networkInterfaceId>` +
    `<subnetId>${xml(eni.subnetId)}</subnetId>` +
    `<vpcId>${eni.vpcId}</vpcId>` +
    `<availabilityZone>${eni.availabilityZone}</availabilityZone>` +
    `<description>${xml(attachmentArn)}</description>` +
    `<ownerId>${accountId}</ownerId>` +
    '<requesterId>578734482556</requesterId><requesterManaged>true</requesterManaged>' +
    '<status>in-use</status>' +
    `<macAddress>${eni.macAddress}</macAddress>` +
    `<privateIpAddress>${eni.privateIpAddress}</privateIpAddress>` +
    `<privateDnsName>${eni.privateDnsName}</privateDnsName>` +
    '<sourceDestCheck>true</sourceDestCheck>' +
    `<groupSet>${groups}</groupSet>` +
    association +
    '<tagSet/>' +
    '<privateIpAddressesSet><item>' +
    `<privateIpAddress>${eni.privateIpAddress}</privateIpAddress>` +
    `<privateDnsName>${eni.privateDnsName}</privateDnsName><primary>true</primary>${association}` +
    '</item></privateIpAddressesSet>' +
    '<ipv6AddressesSet/><interfaceType>interface</interfaceType>' +
    '</item>'
  );
}

function xml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}
