/**
 * The CloudWatch Logs client and the one read the bot makes: the only door to
 * `@aws-sdk/client-cloudwatch-logs`. `npm run build` replaces the compiled
 * file with a bundle of just these (scripts/slim-aws-sdk.ts).
 */
export { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
