/**
 * The ECS client and the commands the bot sends: the only door to
 * `@aws-sdk/client-ecs`. `npm run build` replaces the compiled file with a
 * bundle of just these (scripts/slim-aws-sdk.ts, docs/performance.md).
 */

export type {
  ContainerDefinition,
  RegisterTaskDefinitionCommandInput,
  Tag,
  Task,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
export {
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  type DescribeClustersCommandOutput,
  DescribeTaskDefinitionCommand,
  type DescribeTaskDefinitionCommandOutput,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  type ListTasksCommandInput,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';
