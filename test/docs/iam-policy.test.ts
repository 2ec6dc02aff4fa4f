import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const POLICY_FILE = 'docs/iam-policy.json';
const policy = JSON.parse(readFileSync(POLICY_FILE, 'utf8')) as {
  Statement: { Sid: string; Action: string | string[] }[];
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const allowed = new Set(policy.Statement.flatMap((s) => [s.Action].flat()));

describe('the IAM policy operators are given', () => {
  it('is printed in docs/operating.md exactly as docs/iam-policy.json holds it', () => {
    const doc = readFileSync('docs/operating.md', 'utf8');
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const printed = blocks.filter((b) => b.includes('"Statement"'));
    expect(printed).toHaveLength(1);
    expect(JSON.parse(printed[0] as string)).toEqual(policy);
  });

  it('allows every AWS action the code calls', () => {
    const called = new Set(
      filesUnder('src')
        .filter((f) => f.endsWith('.ts'))
        .flatMap((f) => [
          ...readFileSync(f, 'utf8').matchAll(
            /'((?:ecs|ec2|logs|elasticloadbalancing|acm):[A-Za-z]+)'/g,
          ),
        ])
        .map((m) => m[1] as string),
    );
    expect(called.size).toBeGreaterThan(10);
    expect([...called].filter((action) => !allowed.has(action))).toEqual([]);
  });

  it('is pointed at where it is: every docs/ file a message names exists, and none names a policy in the README', () => {
    const sources = filesUnder('src').filter((f) => f.endsWith('.ts'));
    const named = sources.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/\bdocs\/[\w./-]*\w/g)].map((m) => m[0]),
    );
    expect(named).toContain(POLICY_FILE);
    expect(named.filter((path) => !existsSync(path))).toEqual([]);
    const stale = [...sources, ...filesUnder('docs'), 'README.md'].filter((f) =>
      /policy in the README/i.test(readFileSync(f, 'utf8')),
    );
    expect(stale).toEqual([]);
  });
});
