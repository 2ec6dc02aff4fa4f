/**
 * The AWS Certificate Manager client and the one read `review-app doctor` makes
 * of it (the load balancer's certificates: their names, status and expiry): the
 * only door to `@aws-sdk/client-acm`. `npm run build` replaces the compiled file
 * with a bundle of just this (scripts/slim-aws-sdk.ts).
 */
export {
  ACMClient,
  type CertificateDetail,
  DescribeCertificateCommand,
} from '@aws-sdk/client-acm';
