import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The import rules of docs/architecture.md ("Who may import what"), checked on every source file:
 * data flows adapter → domain → store, the protocol engine stays pure, and only the composition
 * root (src/app/) sees everything.
 */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

interface Import {
  readonly from: string;
  /** A path under src/ for relative imports, else the package name. */
  readonly target: string;
  readonly relativeImport: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
  return specifiers.map((specifier) => {
    const relativeImport = specifier.startsWith('.');
    const target = relativeImport ? relative(SRC, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts') : specifier;
    return { from: relative(SRC, file), target, relativeImport };
  });
}

const all = sourceFiles(SRC).flatMap(importsOf);
const under = (folder: string) => all.filter((i) => i.from.startsWith(`${folder}/`));
const offending = (imports: Import[], forbidden: (target: string) => boolean) =>
  imports.filter((i) => forbidden(i.target)).map((i) => `${i.from} → ${i.target}`);
const inFolder = (target: string, ...folders: string[]) => folders.some((f) => target.startsWith(`${f}/`));

describe('import rules (docs/architecture.md)', () => {
  it('finds the source tree', () => {
    expect(all.length).toBeGreaterThan(300);
  });

  it('scim/ imports nothing of Roster outside itself', () => {
    expect(offending(under('scim'), (t) => !t.startsWith('scim/') && !t.startsWith('node:') && t.includes('/'))).toEqual([]);
    expect(under('scim').filter((i) => i.relativeImport && !i.target.startsWith('scim/'))).toEqual([]);
  });

  it('directory/ imports only scim/ and itself, and no framework or driver', () => {
    const frameworks = /^(fastify|@fastify\/|kysely|pg|better-sqlite3|openid-client|nodemailer|pino)/;
    expect(offending(under('directory'), (t) => frameworks.test(t))).toEqual([]);
    expect(under('directory').filter((i) => i.relativeImport && !inFolder(i.target, 'directory', 'scim'))).toEqual([]);
  });

  it('storage/ never imports an adapter or the composition root', () => {
    expect(offending(under('storage'), (t) => inFolder(t, 'http', 'console', 'cli', 'app', 'sso', 'net', 'mail'))).toEqual([]);
  });

  it('the adapters (http/, console/, cli/) never import storage, the storage port or the composition root', () => {
    for (const adapter of ['http', 'api', 'console', 'cli']) {
      expect(
        offending(under(adapter), (t) => inFolder(t, 'storage', 'app') || t === 'directory/ports.ts'),
        adapter,
      ).toEqual([]);
    }
    expect(offending(under('cli'), (t) => inFolder(t, 'http', 'console'))).toEqual([]);
  });

  it('sso/, mail/, net/ and webhooks/ implement ports and import no adapter, storage or root', () => {
    for (const folder of ['sso', 'mail', 'net', 'webhooks']) {
      expect(
        offending(under(folder), (t) => inFolder(t, 'storage', 'http', 'console', 'cli', 'app')),
        folder,
      ).toEqual([]);
    }
  });

  it('only src/app/ and main.ts open a store', () => {
    const opening = all.filter((i) => i.target === 'storage/open-store.ts').map((i) => i.from);
    expect(opening.every((from) => from.startsWith('app/'))).toBe(true);
  });
});
