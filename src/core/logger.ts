/** A small structured logger that scrubs secrets from everything it writes. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type LogLine = { level: 'info' | 'warn' | 'error'; message: string } & Record<
  string,
  unknown
>;

export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/**
 * How log lines are written: `json`, one object a line, for whatever collects
 * the bot's logs; `text` for a person at a terminal or reading a CI job's log.
 */
export type LogFormat = 'json' | 'text';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

export const isLogFormat = (value: string): value is LogFormat =>
  (LOG_FORMATS as readonly string[]).includes(value);

/** Writes one line per event through `write`, in `format` (JSON by default), secrets replaced by [redacted]. */
export function createLogger(options: {
  secrets: string[];
  write?: (line: string) => void;
  now?: () => number;
  format?: LogFormat;
}): Logger {
  const write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const render = options.format === 'text' ? textLine : jsonLine;
  const emit = (level: LogLine['level'], message: string, fields: Record<string, unknown> = {}) => {
    write(redact(render(new Date(now()).toISOString(), level, message, fields), options.secrets));
  };
  return {
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
  };
}

const withErrors = (_key: string, value: unknown) =>
  value instanceof Error ? errorFields(value) : value;

function jsonLine(time: string, level: string, message: string, fields: Record<string, unknown>) {
  return JSON.stringify({ time, level, message, ...fields }, withErrors);
}

/**
 * `<level> <message> key=value ...`: values with spaces or quotes, and objects, as
 * JSON. No time: a terminal's reader has the moment, and a CI log stamps each line.
 */
function textLine(_time: string, level: string, message: string, fields: Record<string, unknown>) {
  const pairs = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      const plain = typeof value === 'string' && /^[^\s"=]+$/.test(value);
      return `${key}=${plain ? value : JSON.stringify(value, withErrors)}`;
    });
  return [level.padEnd(5), message, ...pairs].join(' ');
}

function errorFields(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(code ? { code } : {}) };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
