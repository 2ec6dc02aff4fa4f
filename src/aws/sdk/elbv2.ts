/**
 * The Elastic Load Balancing v2 client and the commands the bot sends to give
 * review apps names on one shared Application Load Balancer: the only door to
 * `@aws-sdk/client-elastic-load-balancing-v2`. `npm run build` replaces the
 * compiled file with a bundle of just these (scripts/slim-aws-sdk.ts).
 */

export type {
  Action,
  Listener,
  Rule,
  RuleCondition,
  Tag,
  TargetGroup,
  TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
export {
  AddTagsCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
