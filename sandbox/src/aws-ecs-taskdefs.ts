import { type EcsTag, validateTags } from './aws-ecs-tags.js';
import {
  clientError,
  decodeToken,
  encodeToken,
  epochSeconds,
  invalidParameter,
  isObject,
  type JsonObject,
  optionalNumber,
  optionalString,
  optionalStringList,
  pageSize,
} from './aws-shared.js';

/** Fields RegisterTaskDefinition accepts; anything else (e.g. what Describe adds) is refused. */
const REGISTER_FIELDS = new Set([
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'tags',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
]);

/** Fargate's task size combinations: CPU units → allowed memory (MiB). */
const FARGATE_SIZES: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let n = from; n <= to; n += step) out.push(n);
  return out;
}

export interface TaskDefinitionRecord {
  family: string;
  revision: number;
  arn: string;
  status: 'ACTIVE' | 'INACTIVE';
  /** The registration input, normalised as ECS echoes it (defaults filled in), without tags. */
  body: JsonObject;
  containers: ContainerDefinition[];
  tags: EcsTag[];
  compatibilities: string[];
  registeredAt: number;
  registeredBy: string;
  deregisteredAt?: number;
}

export interface ContainerDefinition extends JsonObject {
  name: string;
  image: string;
  essential: boolean;
  command?: string[];
  entryPoint?: string[];
}

export class TaskDefinitionStore {
  private readonly records: TaskDefinitionRecord[] = [];

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly now: () => number,
  ) {}

  register(input: JsonObject, registeredBy: string): TaskDefinitionRecord {
    for (const key of Object.keys(input)) {
      if (!REGISTER_FIELDS.has(key)) {
        throw clientError(
          `Unknown parameter in input: "${key}". RegisterTaskDefinition does not accept it.`,
        );
      }
    }
    const family = optionalString(input, 'family');
    if (!family) throw clientError('Family must be specified.');
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(family)) {
      throw clientError(
        'Family contains invalid characters. Up to 255 letters, numbers, hyphens and underscores are allowed.',
      );
    }
    const networkMode = optionalString(input, 'networkMode') ?? 'bridge';
    if (!['bridge', 'host', 'awsvpc', 'none'].includes(networkMode)) {
      throw clientError(`Invalid networkMode: ${networkMode}.`);
    }
    const requires = optionalStringList(input, 'requiresCompatibilities') ?? [];
    const fargate = requires.includes('FARGATE');
    const cpu = normaliseSize(optionalString(input, 'cpu'), 'vcpu');
    const memory = normaliseSize(optionalString(input, 'memory'), 'gb');
    const containers = this.containers(input.containerDefinitions, networkMode);
    if (!containers.some((c) => c.essential)) {
      throw clientError('At least one essential container is required.');
    }
    const usesAwslogs = containers.some(
      (c) => isObject(c.logConfiguration) && c.logConfiguration.logDriver === 'awslogs',
    );
    if (fargate) {
      if (networkMode !== 'awsvpc')
        throw clientError("Fargate only supports network mode 'awsvpc'.");
      if (cpu === undefined)
        throw clientError("Fargate requires that 'cpu' be defined at the task level.");
      if (memory === undefined) {
        throw clientError("Fargate requires that 'memory' be defined at the task level.");
      }
      if (!FARGATE_SIZES[Number(cpu)]?.includes(Number(memory))) {
        throw clientError(
          `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory.`,
        );
      }
      if (usesAwslogs && !optionalString(input, 'executionRoleArn')) {
        throw clientError(
          'Fargate requires task definition to have execution role ARN to support log driver awslogs.',
        );
      }
    }
    const tags = validateTags(input.tags);
    const fargateCapable =
      networkMode === 'awsvpc' &&
      cpu !== undefined &&
      memory !== undefined &&
      FARGATE_SIZES[Number(cpu)]?.includes(Number(memory)) === true;

    const revision =
      Math.max(0, ...this.records.filter((r) => r.family === family).map((r) => r.revision)) + 1;
    const { tags: _tags, ...rest } = input;
    const body: JsonObject = {
      ...rest,
      family,
      networkMode,
      containerDefinitions: containers,
      volumes: rest.volumes ?? [],
      placementConstraints: rest.placementConstraints ?? [],
      ...(cpu !== undefined ? { cpu } : {}),
      ...(memory !== undefined ? { memory } : {}),
    };
    const requiresAttributes = [
      { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' },
      ...(networkMode === 'awsvpc' ? [{ name: 'ecs.capability.task-eni' }] : []),
      ...(optionalString(input, 'taskRoleArn')
        ? [{ name: 'com.amazonaws.ecs.capability.task-iam-role' }]
        : []),
      ...(usesAwslogs ? [{ name: 'ecs.capability.execution-role-awslogs' }] : []),
    ];
    const record: TaskDefinitionRecord = {
      family,
      revision,
      arn: `arn:aws:ecs:${this.region}:${this.accountId}:task-definition/${family}:${revision}`,
      status: 'ACTIVE',
      body: { ...body, requiresAttributes },
      containers,
      tags,
      compatibilities: fargateCapable ? ['EC2', 'FARGATE'] : ['EC2'],
      registeredAt: this.now(),
      registeredBy,
    };
    this.records.push(record);
    return record;
  }

  /** `family` (latest ACTIVE revision), `family:revision` or a task definition ARN. */
  resolve(reference: string): TaskDefinitionRecord | undefined {
    const match =
      /^(?:arn:aws[\w-]*:ecs:[^:]+:\d+:task-definition\/)?([A-Za-z0-9_-]+)(?::(\d+))?$/.exec(
        reference,
      );
    if (!match) return undefined;
    const [, family, revision] = match;
    const ofFamily = this.records.filter((r) => r.family === family);
    if (revision !== undefined) return ofFamily.find((r) => r.revision === Number(revision));
    if (reference.startsWith('arn:')) return undefined;
    return ofFamily.filter((r) => r.status === 'ACTIVE').at(-1);
  }

  byArn(arn: string): TaskDefinitionRecord | undefined {
    return this.records.find((r) => r.arn === arn);
  }

  render(record: TaskDefinitionRecord): JsonObject {
    const { containerDefinitions, family, networkMode, volumes, requiresAttributes, ...rest } =
      record.body;
    return {
      taskDefinitionArn: record.arn,
      containerDefinitions: structuredClone(containerDefinitions),
      family,
      networkMode,
      revision: record.revision,
      volumes,
      status: record.status,
      requiresAttributes,
      compatibilities: record.compatibilities,
      ...structuredClone(rest),
      registeredAt: epochSeconds(record.registeredAt),
      ...(record.deregisteredAt !== undefined
        ? { deregisteredAt: epochSeconds(record.deregisteredAt) }
        : {}),
      registeredBy: record.registeredBy,
    };
  }

  deregister(reference: string): TaskDefinitionRecord {
    if (!/:\d+$/.test(reference)) {
      throw clientError('A revision must be specified to deregister a task definition.');
    }
    const record = this.resolve(reference);
    if (!record) throw clientError('The specified task definition does not exist.');
    if (record.status === 'ACTIVE') {
      record.status = 'INACTIVE';
      record.deregisteredAt = this.now();
    }
    return record;
  }

  list(input: JsonObject): { taskDefinitionArns: string[]; nextToken?: string } {
    const family = optionalString(input, 'familyPrefix');
    const status = optionalString(input, 'status') ?? 'ACTIVE';
    if (!['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'].includes(status)) {
      throw invalidParameter(`Invalid status: ${status}.`);
    }
    const sort = optionalString(input, 'sort') ?? 'ASC';
    if (sort !== 'ASC' && sort !== 'DESC') throw invalidParameter(`Invalid sort: ${sort}.`);
    const size = pageSize(optionalNumber(input, 'maxResults'));
    const scope = `taskdefs|${family ?? ''}|${status}|${sort}`;
    const offset = decodeToken(optionalString(input, 'nextToken'), scope);
    const matching = this.records
      .filter((r) => r.status === status && (family === undefined || r.family === family))
      .sort((a, b) =>
        a.family === b.family ? a.revision - b.revision : a.family < b.family ? -1 : 1,
      );
    if (sort === 'DESC') matching.reverse();
    const page = matching.slice(offset, offset + size).map((r) => r.arn);
    const next = offset + size < matching.length ? encodeToken(offset + size, scope) : undefined;
    return { taskDefinitionArns: page, ...(next ? { nextToken: next } : {}) };
  }

  private containers(value: unknown, networkMode: string): ContainerDefinition[] {
    if (!Array.isArray(value) || value.length === 0) {
      throw clientError('Container list cannot be empty.');
    }
    const names = new Set<string>();
    return value.map((raw): ContainerDefinition => {
      if (!isObject(raw)) throw clientError('Container definitions must be objects.');
      const name = raw.name;
      const image = raw.image;
      if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(name)) {
        throw clientError(
          'Container.name should not be null or empty and may contain only letters, numbers, hyphens and underscores.',
        );
      }
      if (typeof image !== 'string' || image.trim() === '') {
        throw clientError(`Container.image should not be null or empty (container ${name}).`);
      }
      if (names.has(name)) throw clientError(`Duplicate container name: ${name}.`);
      names.add(name);
      for (const key of ['command', 'entryPoint'] as const) {
        if (optionalStringList(raw, key) === undefined && raw[key] !== undefined) {
          throw clientError(`Container.${key} must be a list of strings.`);
        }
      }
      const portMappings = Array.isArray(raw.portMappings) ? raw.portMappings : [];
      return {
        ...raw,
        name,
        image,
        cpu: typeof raw.cpu === 'number' ? raw.cpu : 0,
        portMappings: portMappings.map((mapping) => portMapping(mapping, networkMode)),
        essential: raw.essential !== false,
        environment: Array.isArray(raw.environment) ? raw.environment : [],
        mountPoints: Array.isArray(raw.mountPoints) ? raw.mountPoints : [],
        volumesFrom: Array.isArray(raw.volumesFrom) ? raw.volumesFrom : [],
        systemControls: Array.isArray(raw.systemControls) ? raw.systemControls : [],
      };
    });
  }
}

function portMapping(raw: unknown, networkMode: string): JsonObject {
  if (!isObject(raw) || typeof raw.containerPort !== 'number') {
    throw clientError('Port mappings need a numeric containerPort.');
  }
  const { containerPort } = raw;
  if (networkMode === 'awsvpc' && raw.hostPort !== undefined && raw.hostPort !== containerPort) {
    throw clientError(
      'When networkMode=awsvpc, the host ports and container ports in port mappings must match.',
    );
  }
  return {
    ...raw,
    containerPort,
    hostPort:
      raw.hostPort ?? (networkMode === 'awsvpc' || networkMode === 'host' ? containerPort : 0),
    protocol: raw.protocol ?? 'tcp',
  };
}

/** `'256'`, `'0.25 vCPU'`, `'1 GB'`... to the plain number string ECS echoes. */
function normaliseSize(value: string | undefined, unit: 'vcpu' | 'gb'): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return trimmed;
  const pattern = unit === 'vcpu' ? /^(\d+(?:\.\d+)?)\s*vcpu$/i : /^(\d+(?:\.\d+)?)\s*gb$/i;
  const match = pattern.exec(trimmed);
  if (!match) throw clientError(`Invalid ${unit === 'vcpu' ? 'cpu' : 'memory'} value: ${value}.`);
  return String(Math.round(Number(match[1]) * 1024));
}
