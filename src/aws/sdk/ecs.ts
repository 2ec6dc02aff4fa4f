import type {
  DeregisterTaskDefinitionCommandInput,
  DeregisterTaskDefinitionCommandOutput,
  DescribeClustersCommandInput,
  DescribeClustersCommandOutput,
  DescribeTaskDefinitionCommandInput,
  DescribeTaskDefinitionCommandOutput,
  DescribeTasksCommandInput,
  DescribeTasksCommandOutput,
  ListTaskDefinitionsCommandInput,
  ListTaskDefinitionsCommandOutput,
  ListTasksCommandInput,
  ListTasksCommandOutput,
  RegisterTaskDefinitionCommandInput,
  RegisterTaskDefinitionCommandOutput,
  RunTaskCommandInput,
  RunTaskCommandOutput,
  StopTaskCommandInput,
  StopTaskCommandOutput,
  TagResourceCommandInput,
  TagResourceCommandOutput,
} from '@aws-sdk/client-ecs';

export type {
  ContainerDefinition,
  DescribeClustersCommandOutput,
  DescribeTaskDefinitionCommandOutput,
  ListTasksCommandInput,
  RegisterTaskDefinitionCommandInput,
  Tag,
  Task,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
/**
 * The ECS client and the commands the bot sends: the only door to
 * `@aws-sdk/client-ecs`. `npm run build` replaces the compiled file with a
 * bundle of just these (scripts/slim-aws-sdk.ts, docs/performance.md).
 */
export {
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';

/** Each ECS operation the bot calls: its input and its output. */
export interface EcsOperations {
  DeregisterTaskDefinition: [
    DeregisterTaskDefinitionCommandInput,
    DeregisterTaskDefinitionCommandOutput,
  ];
  DescribeClusters: [DescribeClustersCommandInput, DescribeClustersCommandOutput];
  DescribeTaskDefinition: [DescribeTaskDefinitionCommandInput, DescribeTaskDefinitionCommandOutput];
  DescribeTasks: [DescribeTasksCommandInput, DescribeTasksCommandOutput];
  ListTaskDefinitions: [ListTaskDefinitionsCommandInput, ListTaskDefinitionsCommandOutput];
  ListTasks: [ListTasksCommandInput, ListTasksCommandOutput];
  RegisterTaskDefinition: [RegisterTaskDefinitionCommandInput, RegisterTaskDefinitionCommandOutput];
  RunTask: [RunTaskCommandInput, RunTaskCommandOutput];
  StopTask: [StopTaskCommandInput, StopTaskCommandOutput];
  TagResource: [TagResourceCommandInput, TagResourceCommandOutput];
}
