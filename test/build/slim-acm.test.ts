import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { startAwsStandIn } from '@review-app-bot/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { slimAwsSdk } from '../../scripts/slim-aws-sdk.js';

const directory = `${process.cwd()}/node_modules/.cache/slim-acm-test/${process.pid}`;

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('the ACM client as built', () => {
  it("holds only the read doctor makes, and reads the listener's certificate", async () => {
    const output = `${directory}/acm.cjs`;
    await slimAwsSdk(`${process.cwd()}/src/aws/sdk/acm.ts`, output);
    const bundle = readFileSync(output, 'utf8');
    expect(bundle).toContain('DescribeCertificate');
    expect(bundle).not.toContain('RequestCertificate');
    expect(bundle).not.toContain('ExportCertificate');

    const sdk = createRequire(output)(output) as typeof import('../../src/aws/sdk/acm.js');
    await using aws = await startAwsStandIn();
    const { certificateArn } = aws.addLoadBalancer();
    const client = new sdk.ACMClient({
      endpoint: aws.url,
      region: aws.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { Certificate } = await client.send(
      new sdk.DescribeCertificateCommand({ CertificateArn: certificateArn }),
    );
    expect([Certificate?.DomainName, Certificate?.Status]).toEqual([
      '*.review.example.com',
      'ISSUED',
    ]);
  });
});
