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

/** Writes JSON lines (one per event) through `write`, secrets replaced by [redacted]. */
export function createLogger(options: {
  secrets: string[];
  write?: (line: string) => void;
  now?: () => number;
}): Logger {
  const write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const emit = (level: LogLine['level'], message: string, fields: Record<string, unknown> = {}) => {
    const line = JSON.stringify(
      { time: new Date(now()).toISOString(), level, message, ...fields },
      (_key, value) => (value instanceof Error ? errorFields(value) : value),
    );
    write(redact(line, options.secrets));
  };
  return {
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
  };
}

function errorFields(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(code ? { code } : {}) };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
