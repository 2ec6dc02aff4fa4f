import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** One line of the table: the bot's figure beside its baseline, measured in the same run. */
export interface Row {
  figure: string;
  bot: number;
  baseline?: number;
  baselineName?: string;
  unit: 'ms' | 'MiB' | 'calls' | '';
  target?: string;
  /** Extra detail shown after the figures (calls by action, sample counts). */
  note?: string;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

export const median = (values: number[]) => percentile(values, 50);
export const mib = (bytes: number) => bytes / 1024 / 1024;

function show(value: number | undefined, unit: Row['unit']): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  const digits = unit === 'calls' || unit === '' ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)}${unit === 'calls' || unit === '' ? '' : ` ${unit}`}`;
}

/** The table as Markdown, so that it can be pasted into docs/performance.md as printed. */
export function table(rows: Row[]): string {
  const lines = [
    '| Figure | Bot | Baseline | Ratio | Target |',
    '| --- | ---: | --- | ---: | --- |',
  ];
  for (const row of rows) {
    const ratio =
      row.baseline !== undefined && row.baseline > 0
        ? `${(row.bot / row.baseline).toFixed(2)}×`
        : '';
    const baseline =
      row.baseline !== undefined
        ? `${show(row.baseline, row.unit)} (${row.baselineName ?? 'baseline'})`
        : (row.baselineName ?? '');
    const figure = row.note ? `${row.figure} <br>${row.note}` : row.figure;
    lines.push(
      `| ${figure} | ${show(row.bot, row.unit)} | ${baseline} | ${ratio} | ${row.target ?? ''} |`,
    );
  }
  return lines.join('\n');
}

/** The same figures with the machine and the date, for comparing runs (git-ignored). */
export function writeResults(rows: Row[], durationMs: number): string {
  const directory = new URL('./results/', import.meta.url);
  mkdirSync(directory, { recursive: true });
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
  } catch {}
  const file = new URL('latest.json', directory);
  const results = {
    date: new Date().toISOString(),
    commit,
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryMiB: Math.round(mib(totalmem())),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    durationMs: Math.round(durationMs),
    rows,
  };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(
    new URL(`run-${results.date.replace(/[:.]/g, '-')}.json`, directory),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  return file.pathname;
}
