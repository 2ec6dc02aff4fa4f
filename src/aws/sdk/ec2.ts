/**
 * The EC2 client and the three reads the bot makes: the only door to
 * `@aws-sdk/client-ec2`. The whole package takes about 700 ms and 90 MiB to
 * load for these; `npm run build` replaces the compiled file with a bundle of
 * just them, which loads in milliseconds (scripts/slim-aws-sdk.ts,
 * docs/performance.md).
 */
export {
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  type DescribeSecurityGroupsCommandOutput,
  DescribeSubnetsCommand,
  type DescribeSubnetsCommandOutput,
  EC2Client,
} from '@aws-sdk/client-ec2';
