import {
  Aws,
  aws_certificatemanager as acm,
  CfnOutput,
  Duration,
  aws_ec2 as ec2,
  aws_ecr_assets as ecrAssets,
  aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
  Fn,
  aws_iam as iam,
  aws_logs as logs,
  RemovalPolicy,
  aws_route53 as route53,
  aws_route53_targets as route53Targets,
  Stack,
  type StackProps,
  aws_secretsmanager as secretsmanager,
  Tags,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { botPolicy } from './bot-policy.js';
import type { DeployConfig } from './config.js';

export interface ReviewAppBotStackProps extends StackProps {
  config: DeployConfig;
  /** The repository root, whose Dockerfile builds the bot's image when no image is given. */
  repoRoot: string;
}

/** The port the bot serves `/healthz` (and Slack's requests in HTTP mode) on. */
const BOT_PORT = 3000;
/** The base task definition's app container, which each review app's image replaces. */
const APP_CONTAINER = 'app';
/** Host name of the bot itself under the review domain, for Slack's requests in HTTP mode. */
const BOT_HOST_LABEL = 'review-app-bot';

/**
 * Everything the bot needs on AWS: a cluster with Fargate and Fargate Spot, the review
 * apps' network, logs and base task definition, the bot's roles and service, and
 * optionally a load balancer that gives every review app an HTTPS name.
 */
export class ReviewAppBotStack extends Stack {
  constructor(scope: Construct, id: string, props: ReviewAppBotStackProps) {
    super(scope, id, props);
    const { config } = props;
    // Every resource of the stack says what it belongs to, so that an operator finds them all.
    Tags.of(this).add('review-app:stack', this.stackName);

    const network = this.network(config);
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: network.vpc,
      enableFargateCapacityProviders: true,
      containerInsightsV2: ecs.ContainerInsights.DISABLED,
    });

    const loadBalancer = config.loadBalancer
      ? this.loadBalancer(config, network.vpc, network.loadBalancerSubnets)
      : undefined;
    const reviewApps = this.reviewApps(config, network, loadBalancer);
    const tokens = secretsmanager.Secret.fromSecretCompleteArn(
      this,
      'Tokens',
      config.tokensSecretArn,
    );

    const botTaskDefinition = new ecs.FargateTaskDefinition(this, 'BotTask', {
      cpu: 256,
      memoryLimitMiB: 512,
      // The image is built for x86 wherever `cdk deploy` runs (an Arm laptop included).
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64 },
    });
    const reviewFamily = `${reviewApps.taskDefinition.family}-review-app`;
    botTaskDefinition.taskRole.attachInlinePolicy(
      new iam.Policy(this, 'BotPolicy', {
        document: iam.PolicyDocument.fromJson(
          botPolicy({
            partition: `arn:${Aws.PARTITION}:`,
            region: Aws.REGION,
            account: Aws.ACCOUNT_ID,
            cluster: cluster.clusterName,
            reviewFamily,
            logGroup: reviewApps.logGroup.logGroupName,
            executionRole: reviewApps.taskDefinition.obtainExecutionRole().roleName,
            taskRole: reviewApps.taskDefinition.taskRole.roleName,
            // `app/<name>/<id>/<listener id>`, the part rule ARNs share with their listener's.
            listener: loadBalancer
              ? Fn.select(1, Fn.split(':listener/', loadBalancer.listener.listenerArn))
              : undefined,
          }),
        ),
      }),
    );

    const botLogs = new logs.LogGroup(this, 'BotLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const secretNames = [
      'GITLAB_TOKEN',
      'SLACK_BOT_TOKEN',
      config.slackMode === 'socket' ? 'SLACK_APP_TOKEN' : 'SLACK_SIGNING_SECRET',
      // A sign-in at the load balancer: its client secret is a token like the others.
      ...(config.settings.OIDC_CLIENT_ID ? ['OIDC_CLIENT_SECRET'] : []),
    ];
    botTaskDefinition.addContainer('bot', {
      image: config.botImage
        ? ecs.ContainerImage.fromRegistry(config.botImage)
        : ecs.ContainerImage.fromAsset(props.repoRoot, {
            platform: ecrAssets.Platform.LINUX_AMD64,
          }),
      logging: ecs.LogDrivers.awsLogs({ logGroup: botLogs, streamPrefix: 'bot' }),
      portMappings: [{ containerPort: BOT_PORT }],
      environment: {
        ...config.settings,
        PORT: String(BOT_PORT),
        AWS_REGION: Aws.REGION,
        GITLAB_URL: config.gitlab.url,
        GITLAB_PROJECT: config.gitlab.project,
        ECS_CLUSTER: cluster.clusterName,
        ECS_TASK_DEFINITION: reviewApps.taskDefinition.family,
        ECS_TASK_FAMILY: reviewFamily,
        ECS_CONTAINER: APP_CONTAINER,
        ECS_SUBNETS: network.taskSubnets.map((subnet) => subnet.subnetId).join(','),
        ECS_SECURITY_GROUPS: reviewApps.securityGroup.securityGroupId,
        ECS_ASSIGN_PUBLIC_IP: String(network.assignPublicIp),
        ECS_CAPACITY_PROVIDER: config.spot ? 'FARGATE_SPOT' : 'FARGATE',
        ...(loadBalancer
          ? {
              LOAD_BALANCER_LISTENER_ARN: loadBalancer.listener.listenerArn,
              REVIEW_APP_DOMAIN: loadBalancer.domain,
            }
          : {}),
      },
      // Tokens reach the container from Secrets Manager at start: never in the template.
      secrets: Object.fromEntries(
        secretNames.map((name) => [name, ecs.Secret.fromSecretsManager(tokens, name)]),
      ),
      healthCheck: {
        // The image is slim and has no curl: Node asks its own /healthz.
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${BOT_PORT}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(20),
      },
    });

    const botSecurityGroup = new ec2.SecurityGroup(this, 'BotSecurityGroup', {
      vpc: network.vpc,
      description: 'Review App Bot: outbound to Slack, GitLab and AWS',
    });
    const service = new ecs.FargateService(this, 'BotService', {
      cluster,
      taskDefinition: botTaskDefinition,
      desiredCount: 1,
      // Never two bots at once: two watchers would announce every expiry twice and race
      // each other's stops. A deployment stops the old bot before it starts the new one;
      // the state is in ECS tags, so the new bot carries on where the old one stopped.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnets: network.taskSubnets },
      assignPublicIp: network.assignPublicIp,
      securityGroups: [botSecurityGroup],
    });

    if (config.slackMode === 'http' && loadBalancer) {
      this.serveSlackRequests(loadBalancer, service, botSecurityGroup);
    }
    this.outputs(config, { cluster, service, reviewApps, loadBalancer });
  }

  private network(config: DeployConfig) {
    if (config.vpc) {
      const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: config.vpc.id,
        // Only used to spread what needs zones; the subnets themselves are given.
        availabilityZones: Stack.of(this).availabilityZones,
      });
      const subnet = (kind: string) => (subnetId: string, index: number) =>
        ec2.Subnet.fromSubnetId(this, `${kind}Subnet${index}`, subnetId);
      return {
        vpc,
        taskSubnets: config.vpc.subnetIds.map(subnet('Task')),
        loadBalancerSubnets: (config.vpc.publicSubnetIds ?? []).map(subnet('Public')),
        assignPublicIp: config.vpc.assignPublicIp,
      };
    }
    // A minimal VPC: two zones, public subnets only, no NAT gateway (which costs by the
    // hour); tasks reach registries through a public IP, and security groups keep them shut.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20 }],
    });
    return {
      vpc,
      taskSubnets: vpc.publicSubnets,
      loadBalancerSubnets: vpc.publicSubnets,
      assignPublicIp: true,
    };
  }

  private loadBalancer(config: DeployConfig, vpc: ec2.IVpc, subnets: ec2.ISubnet[]) {
    const lb = config.loadBalancer as NonNullable<DeployConfig['loadBalancer']>;
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: lb.hostedZoneId,
      zoneName: lb.hostedZoneName,
    });
    // One wildcard certificate covers one label: mr-42.review.example.com, not a.b.review…
    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: `*.${lb.domain}`,
      validation: acm.CertificateValidation.fromDns(zone),
    });
    const alb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnets },
    });
    const listener = alb.addListener('Https', {
      port: 443,
      certificates: [certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      // A name no app holds answers a plain 404; the bot adds one rule per app.
      defaultAction: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'text/plain',
        messageBody: 'No review app has this name.',
      }),
    });
    alb.addRedirect({ sourcePort: 80, targetPort: 443 });
    new route53.ARecord(this, 'WildcardName', {
      zone,
      recordName: `*.${lb.domain}`,
      target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(alb)),
    });
    return { alb, listener, domain: lb.domain };
  }

  private reviewApps(
    config: DeployConfig,
    network: { vpc: ec2.IVpc },
    loadBalancer: ReturnType<ReviewAppBotStack['loadBalancer']> | undefined,
  ) {
    const securityGroup = new ec2.SecurityGroup(this, 'ReviewAppsSecurityGroup', {
      vpc: network.vpc,
      description: 'Review apps: the app port, from the load balancer when there is one',
    });
    if (loadBalancer) {
      securityGroup.connections.allowFrom(
        loadBalancer.alb,
        ec2.Port.tcp(config.app.port),
        'From the load balancer',
      );
    } else {
      securityGroup.addIngressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(config.app.port),
        'Review apps by public IP',
      );
    }
    const logGroup = new logs.LogGroup(this, 'ReviewAppLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'ReviewAppTask', {
      // A readable family: the bot registers review revisions as `<family>-review-app`.
      family: `${this.stackName}-app`,
      cpu: config.app.cpu,
      memoryLimitMiB: config.app.memory,
    });
    taskDefinition.addContainer(APP_CONTAINER, {
      image: ecs.ContainerImage.fromRegistry(
        config.app.image,
        config.app.registryCredentialsSecretArn
          ? {
              credentials: secretsmanager.Secret.fromSecretCompleteArn(
                this,
                'RegistryCredentials',
                config.app.registryCredentialsSecretArn,
              ),
            }
          : undefined,
      ),
      essential: true,
      portMappings: [{ containerPort: config.app.port }],
      // awslogs, so that a crash's last lines and `/review-app logs` can be read back.
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'review-app' }),
    });
    return { securityGroup, logGroup, taskDefinition };
  }

  private serveSlackRequests(
    loadBalancer: NonNullable<ReturnType<ReviewAppBotStack['loadBalancer']>>,
    service: ecs.FargateService,
    botSecurityGroup: ec2.SecurityGroup,
  ) {
    botSecurityGroup.connections.allowFrom(
      loadBalancer.alb,
      ec2.Port.tcp(BOT_PORT),
      'Slack requests through the load balancer',
    );
    // Priority 1: the bot's own name comes before any review app's rule.
    loadBalancer.listener.addTargets('Bot', {
      priority: 1,
      conditions: [
        elbv2.ListenerCondition.hostHeaders([`${BOT_HOST_LABEL}.${loadBalancer.domain}`]),
      ],
      port: BOT_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [service],
      healthCheck: { path: '/healthz', interval: Duration.seconds(15), healthyThresholdCount: 2 },
      deregistrationDelay: Duration.seconds(10),
    });
  }

  private outputs(
    config: DeployConfig,
    made: {
      cluster: ecs.Cluster;
      service: ecs.FargateService;
      reviewApps: ReturnType<ReviewAppBotStack['reviewApps']>;
      loadBalancer: ReturnType<ReviewAppBotStack['loadBalancer']> | undefined;
    },
  ) {
    const { cluster, service, reviewApps, loadBalancer } = made;
    new CfnOutput(this, 'ClusterName', {
      value: cluster.clusterName,
      description: 'ECS_CLUSTER: where review apps run',
    });
    new CfnOutput(this, 'BaseTaskDefinitionFamily', {
      value: reviewApps.taskDefinition.family,
      description: 'ECS_TASK_DEFINITION: the base every review app is copied from',
    });
    new CfnOutput(this, 'ChangingTokens', {
      value: `aws secretsmanager put-secret-value --secret-id ${config.tokensSecretArn} --secret-string file://tokens.json && aws ecs update-service --cluster ${cluster.clusterName} --service ${service.serviceName} --force-new-deployment`,
      description: 'To change a token: write the secret, then restart the bot',
    });
    if (loadBalancer) {
      new CfnOutput(this, 'ListenerArn', {
        value: loadBalancer.listener.listenerArn,
        description: 'The HTTPS listener review apps get their names on',
      });
    }
    if (config.slackMode === 'http' && loadBalancer) {
      new CfnOutput(this, 'SlackRequestUrl', {
        value: `https://${BOT_HOST_LABEL}.${loadBalancer.domain}/slack/events`,
        description: 'manifest.yml: the slash command url and the interactivity request_url',
      });
    }
  }
}
