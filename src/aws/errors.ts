import { ReviewAppError } from '../core/errors.js';
import { failedDestination, networkFailure } from '../core/network-failure.js';

/** Turns an AWS SDK error into one the user can act on, naming the permission when access is denied. */
export function awsError(error: unknown, action: string): ReviewAppError {
  if (error instanceof ReviewAppError) return error;
  const name = (error as { name?: string })?.name ?? 'Error';
  const message = (error as { message?: string })?.message ?? String(error);
  // No answer came at all (DNS, a closed port, a cut connection): nothing was refused or missing.
  const failure = networkFailure(error);
  if (failure) {
    const where = failedDestination(error) ?? 'its endpoint';
    return new ReviewAppError(
      'AWS_UNREACHABLE',
      `Cannot reach AWS at ${where} for ${action}: ${failure}. Check the network and any proxy, AWS_REGION, and AWS_ENDPOINT_URL when it is set.`,
      { action, awsError: name },
      { cause: error },
    );
  }
  // The SDK looked everywhere in its chain (environment, profile, container or
  // instance role) and found nothing: no request reached AWS at all.
  if (name === 'CredentialsProviderError') {
    return new ReviewAppError(
      'AWS_NO_CREDENTIALS',
      'No AWS credentials were found: run the bot with an IAM role (the ECS task role), or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
      { action, awsError: name },
      { cause: error },
    );
  }
  if (/AccessDenied|UnauthorizedOperation|not authorized/i.test(`${name} ${message}`)) {
    return new ReviewAppError(
      'AWS_ACCESS_DENIED',
      `AWS refused ${action}: the bot's IAM role needs the permission ${action} (see docs/iam-policy.json). AWS said: ${message}`,
      { action, awsError: name },
      { cause: error },
    );
  }
  if (/Throttling|TooManyRequests|RequestLimitExceeded/i.test(name)) {
    return new ReviewAppError(
      'AWS_ERROR',
      `AWS is throttling ${action} right now, even after retries. Try again in a minute.`,
      { action, awsError: name },
      { cause: error },
    );
  }
  return new ReviewAppError(
    'AWS_ERROR',
    `AWS refused ${action}: ${message}`,
    { action, awsError: name },
    {
      cause: error,
    },
  );
}

/** Run one AWS call, translating its errors. */
export async function callAws<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw awsError(error, action);
  }
}
