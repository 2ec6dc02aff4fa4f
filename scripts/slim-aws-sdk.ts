import { readdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

/**
 * After `tsc`, part of `npm run build`: each file of `dist/aws/sdk/` (the
 * compiled `src/aws/sdk/*.ts`, which re-export the few commands the bot sends)
 * becomes a bundle of only those commands.
 *
 * Each AWS SDK client package is published as one CommonJS file holding every
 * operation's schema: `@aws-sdk/client-ec2` takes about 700 ms and 90 MiB to
 * load, for the one DescribeNetworkInterfaces call a launch makes. The same
 * packages also ship ES modules marked `"sideEffects": false` for bundlers to
 * tree-shake, and that is what this does, with the SDK's own code: the EC2
 * bundle is about 40 KB and loads in milliseconds (docs/performance.md).
 *
 * Only the client package is bundled. The shared runtime (`@aws-sdk/core`,
 * `@smithy/*`, the credential chain) stays an external `require`, so every
 * client shares one copy of it with the rest of the process, loaded as the
 * single CommonJS files those packages publish.
 */
export async function slimAwsSdk(input: string, output: string): Promise<void> {
  await build({
    input,
    platform: 'node',
    // The packages' ES modules (`module`), which can be tree-shaken; `main` is the whole bundle.
    resolve: { mainFields: ['module', 'main'] },
    external: (id) => !/^[./]/.test(id) && !/^@aws-sdk\/client-/.test(id),
    output: { file: output, format: 'cjs' },
    logLevel: 'warn',
  });
}

async function slimDist(directory: string): Promise<void> {
  const names = (await readdir(directory)).filter((name) => name.endsWith('.js'));
  if (names.length === 0) throw new Error(`nothing to slim in ${directory}: run tsc first`);
  for (const name of names) {
    const base = name.slice(0, -'.js'.length);
    await slimAwsSdk(`${directory}/${name}`, `${directory}/${base}.cjs`);
    // What the rest of dist/ imports: the bundle's exports, under the same name.
    await writeFile(`${directory}/${name}`, `export * from './${base}.cjs';\n`);
    await rm(`${directory}/${name}.map`, { force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await slimDist(fileURLToPath(new URL('../dist/aws/sdk', import.meta.url)));
}
