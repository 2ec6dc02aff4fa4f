import type { Lifetime } from './aws-ecs-lifetime.js';
import type { EcsTag } from './aws-ecs-tags.js';
import type { TaskDefinitionRecord } from './aws-ecs-taskdefs.js';
import type { JsonObject } from './aws-shared.js';

/** What the next RunTask (or one task) does as DescribeTasks calls move it along. */
export type LaunchBehaviour =
  | 'run'
  | 'stay-pending'
  | { failToStart: { stoppedReason: string; containerReason?: string } };

export type TaskStatus =
  | 'PROVISIONING'
  | 'PENDING'
  | 'ACTIVATING'
  | 'RUNNING'
  | 'DEACTIVATING'
  | 'STOPPING'
  | 'DEPROVISIONING'
  | 'STOPPED';

export interface RunTaskFailure {
  arn?: string;
  reason: string;
  detail?: string;
}

export interface ContainerState {
  name: string;
  image: string;
  essential: boolean;
  containerArn: string;
  cpu: string;
  memory?: string;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  runtimeId?: string;
  imageDigest?: string;
  exitCode?: number;
  reason?: string;
  lifetime?: Lifetime;
}

export interface TaskNetwork {
  attachmentId: string;
  status: string;
  subnetId: string;
  networkInterfaceId: string;
  macAddress: string;
  privateIpAddress: string;
  privateDnsName: string;
  publicIp?: string;
  securityGroups: string[];
  availabilityZone: string;
  vpcId: string;
}

export interface TaskState {
  arn: string;
  id: string;
  cluster: Cluster;
  definition: TaskDefinitionRecord;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  launchType: string;
  capacityProviderName?: string;
  cpu?: string;
  memory?: string;
  startedBy?: string;
  group: string;
  tags: EcsTag[];
  overrides: JsonObject;
  containers: ContainerState[];
  network?: TaskNetwork;
  behaviour: LaunchBehaviour;
  version: number;
  at: Partial<
    Record<
      | 'createdAt'
      | 'connectivityAt'
      | 'pullStartedAt'
      | 'pullStoppedAt'
      | 'startedAt'
      | 'stoppingAt'
      | 'stoppedAt'
      | 'executionStoppedAt',
      number
    >
  >;
  stopCode?: string;
  stoppedReason?: string;
}

export interface Cluster {
  name: string;
  arn: string;
  capacityProviders: string[];
  tags: EcsTag[];
}

/** What an image does that a task definition does not show. */
export interface ImageFacts {
  /** The image's ENTRYPOINT, which runs with `command` as its arguments unless overridden. */
  entryPoint?: string[];
  /** Which `timeout` the image has: coreutils (exits 124 at the limit) or BusyBox (Alpine). */
  timeout?: 'coreutils' | 'busybox';
}
