const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** Reads `90s`, `30m`, `2h`, `1h30m` (a bare number is minutes) into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (/^[0-9]+$/.test(trimmed)) return Number(trimmed) * 60_000;
  if (!/^([0-9]+[smh])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/([0-9]+)([smh])/g)) {
    total += Number(amount) * (UNITS[unit as string] as number);
  }
  return total;
}

/** `1h 30m`, `25m`, `45s` for people. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  if (minutes > 0) return `${minutes}m`;
  return `${seconds}s`;
}
