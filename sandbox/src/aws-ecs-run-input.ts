import type { Cluster } from './aws-ecs-task-types.js';
import type { TaskDefinitionRecord } from './aws-ecs-taskdefs.js';
import {
  clientError,
  invalidParameter,
  isObject,
  type JsonObject,
  optionalList,
  optionalString,
  optionalStringList,
} from './aws-shared.js';

/** RunTask's placement, network and override parameters, checked as ECS checks them. */

export interface NetworkConfig {
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: string;
}

export function placement(
  input: JsonObject,
  cluster: Cluster,
  definition: TaskDefinitionRecord,
): { launchType: string; capacityProviderName?: string } {
  const launchType = optionalString(input, 'launchType');
  const strategy = optionalList(input, 'capacityProviderStrategy') ?? [];
  if (launchType !== undefined && strategy.length > 0) {
    throw invalidParameter(
      'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
    );
  }
  let placement: { launchType: string; capacityProviderName?: string };
  if (strategy.length > 0) {
    const items = strategy.map((item) => {
      if (!isObject(item) || typeof item.capacityProvider !== 'string') {
        throw invalidParameter('Each capacity provider strategy item needs a capacityProvider.');
      }
      // ECS refuses a provider the cluster does not have, FARGATE_SPOT included, with this
      // text (dask/dask-cloudprovider issue 328); PutClusterCapacityProviders attaches it.
      if (!cluster.capacityProviders.includes(item.capacityProvider)) {
        throw invalidParameter(
          `The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.`,
        );
      }
      return {
        name: item.capacityProvider,
        base: typeof item.base === 'number' ? item.base : 0,
        weight: typeof item.weight === 'number' ? item.weight : 0,
      };
    });
    const chosen =
      items.filter((i) => i.base > 0).sort((a, b) => b.base - a.base)[0] ??
      items.filter((i) => i.weight > 0).sort((a, b) => b.weight - a.weight)[0];
    if (!chosen) {
      throw invalidParameter(
        'At least one capacity provider in the strategy must have a weight greater than zero.',
      );
    }
    placement = { launchType: 'FARGATE', capacityProviderName: chosen.name };
  } else {
    const type = launchType ?? 'EC2';
    if (!['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'].includes(type)) {
      throw invalidParameter(`Invalid launchType: ${type}.`);
    }
    if (type !== 'FARGATE')
      throw invalidParameter('No Container Instances were found in your cluster.');
    placement = { launchType: 'FARGATE' };
  }
  if (!definition.compatibilities.includes('FARGATE')) {
    throw clientError('Task definition does not support launch_type FARGATE.');
  }
  return placement;
}

export function networkConfiguration(
  input: JsonObject,
  definition: TaskDefinitionRecord,
): NetworkConfig | undefined {
  const config = input.networkConfiguration;
  const vpc = isObject(config) ? config.awsvpcConfiguration : undefined;
  if (definition.body.networkMode !== 'awsvpc') return undefined;
  if (!isObject(vpc)) {
    throw invalidParameter(
      "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    );
  }
  const subnets = optionalStringList(vpc, 'subnets') ?? [];
  if (subnets.length === 0) throw invalidParameter('subnets can not be empty.');
  if (subnets.length > 16) throw invalidParameter('subnets can have at most 16 items.');
  for (const subnet of subnets) {
    if (!/^subnet-[0-9a-f]+$/.test(subnet)) throw invalidParameter(`Invalid subnet: ${subnet}.`);
  }
  const securityGroups = optionalStringList(vpc, 'securityGroups') ?? [];
  if (securityGroups.length > 5) throw invalidParameter('securityGroups can have at most 5 items.');
  for (const group of securityGroups) {
    if (!/^sg-[0-9a-f]+$/.test(group)) throw invalidParameter(`Invalid security group: ${group}.`);
  }
  const assignPublicIp = optionalString(vpc, 'assignPublicIp') ?? 'DISABLED';
  if (assignPublicIp !== 'ENABLED' && assignPublicIp !== 'DISABLED') {
    throw invalidParameter(`Invalid assignPublicIp: ${assignPublicIp}.`);
  }
  return { subnets, securityGroups, assignPublicIp };
}

export function runOverrides(value: unknown, definition: TaskDefinitionRecord): JsonObject {
  if (value === undefined || value === null) return { containerOverrides: [] };
  if (!isObject(value)) throw invalidParameter('overrides must be an object.');
  if (JSON.stringify(value).length > 8192) {
    throw invalidParameter('Container Overrides length must be at most 8192');
  }
  const containerOverrides = optionalList(value, 'containerOverrides') ?? [];
  for (const item of containerOverrides) {
    if (!isObject(item) || typeof item.name !== 'string') {
      throw invalidParameter('Container overrides need a name.');
    }
    if (!definition.containers.some((c) => c.name === item.name)) {
      throw invalidParameter(
        `Override for container named ${item.name} is not a container in the TaskDefinition.`,
      );
    }
    if (item.command !== undefined) optionalStringList(item, 'command');
  }
  return { ...value, containerOverrides };
}
