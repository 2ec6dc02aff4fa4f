import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../core/logger.js';

/** Bolt's logger interface on top of ours, so that Bolt's lines are scrubbed of secrets too. */
export function boltLogger(logger: Logger, level: LogLevel = LogLevel.WARN): BoltLogger {
  let current = level;
  const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
  const enabled = (l: LogLevel) => order.indexOf(l) >= order.indexOf(current);
  const text = (parts: unknown[]) =>
    parts.map((p) => (p instanceof Error ? p.message : String(p))).join(' ');
  return {
    debug: (...parts) => enabled(LogLevel.DEBUG) && logger.info(text(parts), { source: 'bolt' }),
    info: (...parts) => enabled(LogLevel.INFO) && logger.info(text(parts), { source: 'bolt' }),
    warn: (...parts) => enabled(LogLevel.WARN) && logger.warn(text(parts), { source: 'bolt' }),
    error: (...parts) => enabled(LogLevel.ERROR) && logger.error(text(parts), { source: 'bolt' }),
    setLevel: (l) => {
      current = l;
    },
    getLevel: () => current,
    setName: () => {},
  };
}
