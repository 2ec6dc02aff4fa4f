import { randomUUID } from 'node:crypto';
import { AwsError, epochSeconds, type JsonObject, optionalString } from './aws-shared.js';

/**
 * AWS Certificate Manager, for what `review-app doctor` reads of the load
 * balancer's certificates: DescribeCertificate (JSON 1.1, `x-amz-target:
 * CertificateManager.DescribeCertificate`; AWS API reference, acm-2015-12-08
 * DescribeCertificate). What the stand-in holds to:
 * - The answer is `{ Certificate: CertificateDetail }`: CertificateArn, DomainName,
 *   SubjectAlternativeNames (the domain name included, as `aws acm
 *   describe-certificate` shows it in the CLI reference's example), Status, Type,
 *   and timestamps in epoch seconds (CreatedAt; IssuedAt, NotBefore, NotAfter once
 *   issued: a certificate pending validation has none).
 * - Status is one of PENDING_VALIDATION, ISSUED, INACTIVE, EXPIRED,
 *   VALIDATION_TIMED_OUT, REVOKED, FAILED (CertificateDetail Status). An issued
 *   certificate whose NotAfter has passed answers EXPIRED.
 * - CertificateArn must match `arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(/[\w+=,.@-]+)*`
 *   (the request parameter's pattern); a value that does not is a ValidationException
 *   "... failed to satisfy constraint: Member must satisfy regular expression pattern"
 *   (quoted in hashicorp/terraform-provider-aws issue 24470). An IAM server
 *   certificate's ARN (`arn:aws:iam::...`) is one such.
 * - An ACM ARN that is not a certificate's (`.../certificate/<id>`) is
 *   InvalidArnException; a certificate ARN ACM does not hold, ResourceNotFoundException
 *   (the operation's Errors).
 */
export const ACM_TARGET = 'CertificateManager.';
export const ACM_OPERATIONS = new Set(['DescribeCertificate']);

export type AcmStatus =
  | 'PENDING_VALIDATION'
  | 'ISSUED'
  | 'INACTIVE'
  | 'EXPIRED'
  | 'VALIDATION_TIMED_OUT'
  | 'REVOKED'
  | 'FAILED';

/** A certificate as the operator requested it (times in epoch milliseconds). */
export interface AcmCertificateSeed {
  /** `*.review.example.com`. */
  domainName: string;
  /** Names besides the domain name. */
  alternativeNames?: string[];
  /** ISSUED unless given. */
  status?: AcmStatus;
  /** When it stops being valid: VALIDITY_MS after `now()` (past, for an EXPIRED one) unless given. */
  notAfter?: number;
}

interface CertificateRecord extends Required<AcmCertificateSeed> {
  arn: string;
  createdAt: number;
  /** The load balancers that use it (CertificateDetail InUseBy). */
  inUseBy: string[];
}

const ARN_PATTERN = /^arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(\/[\w+=,.@-]+)*$/;
const CERTIFICATE_ARN = /^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/;
const DAY_MS = 86_400_000;
/**
 * How long an ACM public certificate is valid: 198 days since ACM followed the CA/Browser
 * Forum's 200-day limit of 15 March 2026 (ballot SC-081); 395 days before.
 */
const VALIDITY_MS = 198 * DAY_MS;

export class AcmStore {
  private readonly certificates = new Map<string, CertificateRecord>();

  constructor(
    readonly region: string,
    readonly accountId: string,
    private readonly now: () => number,
  ) {}

  add(seed: AcmCertificateSeed): string {
    const arn = `arn:aws:acm:${this.region}:${this.accountId}:certificate/${randomUUID()}`;
    const status = seed.status ?? 'ISSUED';
    const now = this.now();
    // An expired one ended before now; an issued one was issued a day ago for its validity.
    const notAfter = seed.notAfter ?? (status === 'EXPIRED' ? now - DAY_MS : now + VALIDITY_MS);
    const createdAt = Math.min(now - DAY_MS, notAfter - VALIDITY_MS);
    this.certificates.set(arn, {
      arn,
      createdAt,
      domainName: seed.domainName,
      alternativeNames: seed.alternativeNames ?? [],
      status,
      notAfter,
      inUseBy: [],
    });
    return arn;
  }

  /** A load balancer's listener holds the certificate now. */
  usedBy(arn: string, resource: string): void {
    const record = this.certificates.get(arn);
    if (record && !record.inUseBy.includes(resource)) record.inUseBy.push(resource);
  }

  handle(operation: string, input: JsonObject): JsonObject {
    if (operation !== 'DescribeCertificate') {
      throw new AwsError('UnknownOperationException', `Unsupported: ${operation}`);
    }
    const arn = optionalString(input, 'CertificateArn');
    if (arn === undefined) {
      throw new AwsError(
        'ValidationException',
        "1 validation error detected: Value null at 'certificateArn' failed to satisfy constraint: Member must not be null",
      );
    }
    if (!ARN_PATTERN.test(arn) || arn.length < 20 || arn.length > 2048) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value '${arn}' at 'certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ARN_PATTERN.source.slice(1, -1).replaceAll('\\/', '/')}`,
      );
    }
    if (!CERTIFICATE_ARN.test(arn)) {
      throw new AwsError('InvalidArnException', `String '${arn}' is not a valid ARN.`);
    }
    const record = this.certificates.get(arn);
    if (!record)
      throw new AwsError('ResourceNotFoundException', `Could not find certificate ${arn}.`);
    return { Certificate: this.render(record) };
  }

  private render(record: CertificateRecord): JsonObject {
    const expired = record.status === 'ISSUED' && record.notAfter <= this.now();
    const status = expired ? 'EXPIRED' : record.status;
    const issued = ['ISSUED', 'EXPIRED', 'INACTIVE', 'REVOKED'].includes(record.status);
    const names = [record.domainName, ...record.alternativeNames];
    return {
      CertificateArn: record.arn,
      DomainName: record.domainName,
      SubjectAlternativeNames: names,
      DomainValidationOptions: names.map((name) => ({
        DomainName: name,
        ValidationDomain: name.replace(/^\*\./, ''),
        ValidationMethod: 'DNS',
        ValidationStatus: issued ? 'SUCCESS' : 'PENDING_VALIDATION',
      })),
      Subject: `CN=${record.domainName}`,
      Issuer: 'Amazon',
      CreatedAt: epochSeconds(record.createdAt),
      ...(issued
        ? {
            IssuedAt: epochSeconds(record.createdAt),
            NotBefore: epochSeconds(record.createdAt),
            NotAfter: epochSeconds(record.notAfter),
            Serial: '0a:1b:2c:3d:4e:5f:60:71:82:93:a4:b5:c6:d7:e8:f9',
          }
        : {}),
      Status: status,
      KeyAlgorithm: 'RSA-2048',
      SignatureAlgorithm: 'SHA256WITHRSA',
      InUseBy: [...record.inUseBy],
      Type: 'AMAZON_ISSUED',
      RenewalEligibility: issued ? 'ELIGIBLE' : 'INELIGIBLE',
    };
  }
}
