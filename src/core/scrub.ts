/**
 * Log lines of an app are shown in Slack, where more people read them than
 * the app's own logs: anything that looks like a credential is hidden first.
 * The patterns cover what apps commonly print by mistake, Slack and GitLab
 * tokens included. (The bot's own secrets are not in the app's environment.)
 */
const PATTERNS: [RegExp, string][] = [
  // Credentials in URLs: postgres://user:password@host.
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/:@]+:[^\s/@]+@/gi, '$1[redacted]@'],
  // AWS access key ids.
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, '[redacted]'],
  // GitLab and Slack tokens.
  [/\bglpat-[\w-]{10,}/g, '[redacted]'],
  [/\bxox[abpers]-[\w-]+/g, '[redacted]'],
  [/\bxapp-[\w-]+/g, '[redacted]'],
  // Bearer and basic credentials in headers.
  [/\b(Bearer|Basic)\s+[\w\-.~+/=]{8,}/gi, '$1 [redacted]'],
  // key=value and "key": "value" where the key names a secret.
  [
    /\b([\w-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)[\w-]*)(["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi,
    '$1$2[redacted]',
  ],
];

export function scrubLine(line: string): string {
  let out = line;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
