import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { DeployConfigError, readDeployConfig } from '../lib/config.js';
import { ReviewAppBotStack } from '../lib/stack.js';

const deployDir = fileURLToPath(new URL('..', import.meta.url));
const app = new App();
try {
  const config = readDeployConfig(app.node.getAllContext(), deployDir);
  new ReviewAppBotStack(app, config.stackName, {
    config,
    repoRoot: fileURLToPath(new URL('../..', import.meta.url)),
    // The account and region of the credentials cdk deploy runs with.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  app.synth();
} catch (error) {
  if (!(error instanceof DeployConfigError)) throw error;
  // A mistake in the configuration is the operator's to fix: say what, without a stack trace.
  console.error(error.message);
  process.exit(1);
}
