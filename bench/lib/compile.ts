/**
 * Compiles the server (src/) and the ceiling server to plain JavaScript for the benchmark, so
 * both run on `node` without tsx: tsx's loader runs in a thread of its own (a second V8 heap,
 * ~40 MB of RSS) and wraps every function in a name-keeping helper. This is what a production
 * deployment that builds its code runs; `npm start` (tsx) is unchanged.
 *
 * Files are transpiled one by one (no bundling), in a directory shaped like the repository:
 * `src/**` and `bench/ceiling-server.ts` become `.js` beside copies of src's other files (the
 * console's assets), and `node_modules`, `docs` and `package.json` ("type": "module") are
 * linked or copied, so relative `import.meta.url` paths resolve as in the repository.
 */
import { copyFileSync, cpSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
// esbuild comes with tsx (a dependency already): the same compiler tsx runs in-process.
import { build } from 'esbuild';

export interface CompiledTree {
  /** The directory holding the compiled tree. */
  readonly root: string;
  /** Path of a compiled file, given its source path relative to the repository (`src/main.ts`). */
  path(source: string): string;
}

export async function compileForBench(repoRoot: string): Promise<CompiledTree> {
  const root = mkdtempSync(join(tmpdir(), 'roster-bench-build-'));
  const sources = [...filesUnder(join(repoRoot, 'src'))].filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  await build({
    entryPoints: [...sources, join(repoRoot, 'bench', 'ceiling-server.ts')],
    outdir: root,
    outbase: repoRoot,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    logLevel: 'error',
  });
  for (const file of filesUnder(join(repoRoot, 'src'))) {
    if (!file.endsWith('.ts')) cpSync(file, join(root, relative(repoRoot, file)));
  }
  copyFileSync(join(repoRoot, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  symlinkSync(join(repoRoot, 'docs'), join(root, 'docs'), 'dir');
  return { root, path: (source) => join(root, source.replace(/\.ts$/, '.js')) };
}

function* filesUnder(directory: string): Generator<string> {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield path;
  }
}
