import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { DescribeClustersCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { Gitlab } from '@gitbeaker/rest';
import { describe, expect, it } from 'vitest';
import { DEMO_SECURITY_GROUP, DEMO_SUBNET, demoTaskDefinition } from '../src/demo.js';
import { startGitLabStandIn } from '../src/gitlab.js';
import { clientConfig, rejection, seededAws } from './aws-fixtures.js';

/** The read-only calls of `review-app doctor`, through the real clients. */
describe('stand-ins answer what review-app doctor asks', () => {
  it('EC2 describes subnets and security groups with their VPC, and names an unknown id as EC2 does', async () => {
    const { aws, ec2 } = await seededAws();
    await using _aws = aws;
    aws.addSubnet({ subnetId: 'subnet-0fedcba9876543210', vpcId: 'vpc-0ffff0000aaaa1111' });

    const subnets = await ec2.send(
      new DescribeSubnetsCommand({ SubnetIds: [DEMO_SUBNET, 'subnet-0fedcba9876543210'] }),
    );
    expect(subnets.Subnets?.map((s) => [s.SubnetId, s.VpcId, s.State])).toEqual([
      [DEMO_SUBNET, 'vpc-0a1b2c3d4e5f60718', 'available'],
      ['subnet-0fedcba9876543210', 'vpc-0ffff0000aaaa1111', 'available'],
    ]);
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [DEMO_SECURITY_GROUP] }),
    );
    expect(groups.SecurityGroups?.map((g) => [g.GroupId, g.VpcId])).toEqual([
      [DEMO_SECURITY_GROUP, 'vpc-0a1b2c3d4e5f60718'],
    ]);

    const unknownSubnet = await rejection(
      ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0badbadbadbadbad0'] })),
    );
    expect(unknownSubnet.name).toBe('InvalidSubnetID.NotFound');
    expect(unknownSubnet.message).toBe("The subnet ID 'subnet-0badbadbadbadbad0' does not exist");
    const unknownGroup = await rejection(
      ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0badbadbadbadbad0'] })),
    );
    expect(unknownGroup.name).toBe('InvalidGroup.NotFound');
    const malformed = await rejection(
      ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['default'] })),
    );
    expect(malformed.name).toBe('InvalidGroupId.Malformed');
  });

  it('ECS describes a cluster with its capacity providers, and a missing one in failures', async () => {
    const { aws, ecs } = await seededAws();
    await using _aws = aws;
    const noSpot = aws.addCluster('no-spot', { capacityProviders: ['FARGATE'] });
    const answer = await ecs.send(
      new DescribeClustersCommand({ clusters: ['review-apps', 'no-spot', 'gone'] }),
    );
    expect(answer.clusters?.map((c) => [c.clusterName, c.status, c.capacityProviders])).toEqual([
      ['review-apps', 'ACTIVE', ['FARGATE', 'FARGATE_SPOT']],
      ['no-spot', 'ACTIVE', ['FARGATE']],
    ]);
    expect(answer.failures).toEqual([
      { arn: noSpot.replace(/no-spot$/, 'gone'), reason: 'MISSING' },
    ]);
    const byArn = await ecs.send(
      new DescribeClustersCommand({ clusters: ['arn:aws:ecs:eu-west-1:111122223333:cluster/x'] }),
    );
    expect(byArn.failures).toEqual([
      { arn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/x', reason: 'MISSING' },
    ]);
  });

  it('GitLab describes the token itself: its scopes', async () => {
    await using gitlab = await startGitLabStandIn();
    gitlab.setTokenScopes(['api']);
    const api = new Gitlab({ host: gitlab.url, token: gitlab.token });
    expect(await api.PersonalAccessTokens.show()).toMatchObject({ scopes: ['api'], active: true });
    gitlab.setTokenScopes(['read_api', 'read_registry']);
    expect((await api.PersonalAccessTokens.show()).scopes).toEqual(['read_api', 'read_registry']);
  });

  it('doctor over several projects: ECS describes each base task definition by its family', async () => {
    const { aws, ecs } = await seededAws();
    await using _aws = aws;
    aws.addTaskDefinition({ ...demoTaskDefinition(), family: 'api-web' });
    const families = await Promise.all(
      ['shop-web', 'api-web'].map(
        async (taskDefinition) =>
          (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }))).taskDefinition
            ?.family,
      ),
    );
    expect(families).toEqual(['shop-web', 'api-web']);
    const missing = await rejection(
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api-gone' })),
    );
    expect(missing.message).toMatch(/Unable to describe task definition/);
  });

  it("doctor over several projects: GitLab tells the token's role in each, and hides one it cannot see", async () => {
    await using gitlab = await startGitLabStandIn();
    gitlab.addProject({ id: 7, path: 'acme/shop' });
    gitlab.addProject({ id: 8, path: 'acme/api', visibility: 'internal' });
    gitlab.addProject({ id: 9, path: 'acme/secret', hidden: true });
    const api = new Gitlab({ host: gitlab.url, token: gitlab.token });
    const shown = await Promise.all(
      ['acme/shop', 'acme/api'].map((path) => api.Projects.show(path)),
    );
    expect(
      shown.map((p) => [
        p.path_with_namespace,
        p.visibility,
        (p.permissions as { project_access?: { access_level: number } }).project_access
          ?.access_level,
      ]),
    ).toEqual([
      ['acme/shop', 'private', 30],
      ['acme/api', 'internal', 30],
    ]);
    const hidden = await rejection(api.Projects.show('acme/secret'));
    expect((hidden as { cause?: { response?: { status?: number } } }).cause?.response?.status).toBe(
      404,
    );
  });

  it("ACM describes the listener's certificates: names, status, expiry; and refuses ARNs as ACM does", async () => {
    const now = Date.parse('2026-12-08T12:00:00Z');
    const { aws } = await seededAws(() => now);
    await using _aws = aws;
    const { listenerArn, loadBalancerArn, certificateArn } = aws.addLoadBalancer({
      moreCertificates: [
        { domainName: 'shop.example.com', status: 'PENDING_VALIDATION' },
        { domainName: '*.old.example.com', notAfter: now - 1000 },
        { iam: 'legacy' },
      ],
    });
    const elbv2 = new ElasticLoadBalancingV2Client(clientConfig(aws));
    const { Listeners } = await elbv2.send(
      new DescribeListenersCommand({ ListenerArns: [listenerArn] }),
    );
    expect(Listeners?.[0]?.Certificates).toEqual([{ CertificateArn: certificateArn }]);
    const listed = await elbv2.send(
      new DescribeListenerCertificatesCommand({ ListenerArn: listenerArn }),
    );
    const arns = listed.Certificates?.map((c) => c.CertificateArn as string) ?? [];
    expect(arns).toHaveLength(4);
    expect(arns[3]).toBe('arn:aws:iam::123456789012:server-certificate/legacy');

    const acm = new ACMClient(clientConfig(aws));
    const describe = (arn: string) =>
      acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    const wildcard = (await describe(certificateArn as string)).Certificate;
    expect(wildcard).toMatchObject({
      CertificateArn: certificateArn,
      DomainName: '*.review.example.com',
      SubjectAlternativeNames: ['*.review.example.com'],
      Status: 'ISSUED',
      Type: 'AMAZON_ISSUED',
      InUseBy: [loadBalancerArn],
    });
    expect(wildcard?.NotAfter).toBeInstanceOf(Date);
    expect(wildcard?.NotAfter?.getTime()).toBeGreaterThan(now);
    const pending = (await describe(arns[1] as string)).Certificate;
    expect([pending?.Status, pending?.NotAfter]).toEqual(['PENDING_VALIDATION', undefined]);
    expect((await describe(arns[2] as string)).Certificate?.Status).toBe('EXPIRED');

    const iam = await rejection(describe(arns[3] as string));
    expect(iam.name).toBe('ValidationException');
    expect(iam.message).toContain('Member must satisfy regular expression pattern');
    const notCertificate = await rejection(
      describe('arn:aws:acm:us-east-1:123456789012:private-ca/1234'),
    );
    expect(notCertificate.name).toBe('InvalidArnException');
    const gone = await rejection(
      describe(
        'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
      ),
    );
    expect(gone.name).toBe('ResourceNotFoundException');
  });
});
