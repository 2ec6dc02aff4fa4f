import type { TaskState } from './aws-ecs-task-types.js';
import { epochSeconds, type JsonObject } from './aws-shared.js';

/** A task as ECS's JSON shows it (DescribeTasks, RunTask, StopTask); timestamps in epoch seconds. */
export function renderTask(task: TaskState, region: string, withTags: boolean): JsonObject {
  const { network } = task;
  const detailed = network !== undefined && network.status !== 'PRECREATED';
  const seconds = (key: keyof TaskState['at']) => {
    const value = task.at[key];
    return value === undefined ? {} : { [key]: epochSeconds(value) };
  };
  return {
    attachments: network
      ? [
          {
            id: network.attachmentId,
            type: 'ElasticNetworkInterface',
            status: network.status,
            details: [
              { name: 'subnetId', value: network.subnetId },
              ...(detailed
                ? [
                    { name: 'networkInterfaceId', value: network.networkInterfaceId },
                    { name: 'macAddress', value: network.macAddress },
                    { name: 'privateDnsName', value: network.privateDnsName },
                    { name: 'privateIPv4Address', value: network.privateIpAddress },
                  ]
                : []),
            ],
          },
        ]
      : [],
    attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
    availabilityZone: network?.availabilityZone ?? `${region}a`,
    ...(task.capacityProviderName ? { capacityProviderName: task.capacityProviderName } : {}),
    clusterArn: task.cluster.arn,
    ...(task.at.connectivityAt !== undefined ? { connectivity: 'CONNECTED' } : {}),
    ...seconds('connectivityAt'),
    containers: task.containers.map((c) => ({
      containerArn: c.containerArn,
      taskArn: task.arn,
      name: c.name,
      image: c.image,
      ...(c.imageDigest ? { imageDigest: c.imageDigest } : {}),
      ...(c.runtimeId ? { runtimeId: c.runtimeId } : {}),
      lastStatus: c.lastStatus,
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
      networkBindings: [],
      networkInterfaces: detailed
        ? [{ attachmentId: network.attachmentId, privateIpv4Address: network.privateIpAddress }]
        : [],
      healthStatus: 'UNKNOWN',
      cpu: c.cpu,
      ...(c.memory ? { memory: c.memory } : {}),
    })),
    ...(task.cpu !== undefined ? { cpu: task.cpu } : {}),
    ...seconds('createdAt'),
    desiredStatus: task.desiredStatus,
    enableExecuteCommand: false,
    ephemeralStorage: { sizeInGiB: 20 },
    ...seconds('executionStoppedAt'),
    group: task.group,
    healthStatus: 'UNKNOWN',
    lastStatus: task.lastStatus,
    launchType: task.launchType,
    ...(task.memory !== undefined ? { memory: task.memory } : {}),
    overrides: structuredClone(task.overrides),
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    ...seconds('pullStartedAt'),
    ...seconds('pullStoppedAt'),
    ...seconds('startedAt'),
    ...(task.startedBy !== undefined ? { startedBy: task.startedBy } : {}),
    ...(task.stopCode !== undefined ? { stopCode: task.stopCode } : {}),
    ...seconds('stoppedAt'),
    ...(task.stoppedReason !== undefined ? { stoppedReason: task.stoppedReason } : {}),
    ...seconds('stoppingAt'),
    ...(withTags ? { tags: task.tags.map((t) => ({ ...t })) } : {}),
    taskArn: task.arn,
    taskDefinitionArn: task.definition.arn,
    version: task.version,
  };
}
