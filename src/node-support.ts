/**
 * Node 22 or newer is supported (AWS SDK v3 releases after the first week of
 * January 2027 need it); Node 20 still runs the code. Importing this module
 * first, before anything that loads the AWS SDK, keeps the SDK from printing
 * its nine-line NodeVersionSupportWarning on every run: the entry point prints
 * one line of its own instead (`nodeSupportNotice`).
 */
const SUPPORTED_NODE_MAJOR = 22;

// The SDK reads this when a client is built; an operator's own setting wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** One line for a Node older than the supported one, else nothing. */
export function nodeSupportNotice(version: string = process.version): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (!Number.isFinite(major) || major >= SUPPORTED_NODE_MAJOR) return undefined;
  return `Node ${version} is past its support: Review App Bot supports Node ${SUPPORTED_NODE_MAJOR} or newer, and AWS SDK updates need it; it still runs here.`;
}
