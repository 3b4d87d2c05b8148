/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, or `npm run bench -- --profile`): self time by
 * function and by file, and the inclusive time of the functions worth knowing about.
 *
 *   npx tsx bench/profile-summary.ts bench/results/profiles/<file>.cpuprofile [--top 30] [--match scim-users]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleMs: number;
  readonly bySelf: ReadonlyArray<{ name: string; ms: number; share: number }>;
  readonly byFile: ReadonlyArray<{ name: string; ms: number; share: number }>;
  readonly byInclusive: ReadonlyArray<{ name: string; ms: number; share: number }>;
}

const where = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url ? shortFile(url) : '';
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
};

function shortFile(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  return path.startsWith('/') ? relative(process.cwd(), path) : path;
}

export function summarise(profile: Profile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfMs = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
  let idle = 0;
  const self = new Map<string, number>();
  const file = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const node = byId.get(id) as ProfileNode;
    const name = node.callFrame.functionName;
    if (name === '(idle)') idle += ms;
    self.set(where(node), (self.get(where(node)) ?? 0) + ms);
    const url = node.callFrame.url;
    const group = url
      ? shortFile(url).replace(/^(@[^/]+\/[^/]+|[^/]+)\/.*$/, (m, pkg: string) => (m.includes('node_modules') ? pkg : m))
      : `(${name})`;
    file.set(group, (file.get(group) ?? 0) + ms);
    // Inclusive: charge each distinct frame on the stack once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = where(byId.get(at) as ProfileNode);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  }
  const busy = total - idle;
  const rank = (m: Map<string, number>) =>
    [...m]
      .filter(([name]) => !name.startsWith('(idle)') && !name.startsWith('(root)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: busy > 0 ? ms / busy : 0 }));
  return { totalMs: Math.round(total), idleMs: Math.round(idle), bySelf: rank(self), byFile: rank(file), byInclusive: rank(inclusive) };
}

export function formatSummary(summary: ProfileSummary, match?: string): string {
  const pct = (s: number) => `${(s * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `sampled ${summary.totalMs} ms, idle ${summary.idleMs} ms (shares below are of the busy time)`,
    '',
    'self time by function:',
  ];
  for (const e of summary.bySelf) lines.push(`  ${pct(e.share)} ${String(e.ms).padStart(7)} ms  ${e.name}`);
  lines.push('', 'self time by file or package:');
  for (const e of summary.byFile) lines.push(`  ${pct(e.share)} ${String(e.ms).padStart(7)} ms  ${e.name}`);
  lines.push('', `inclusive time${match ? ` (frames matching '${match}')` : ''}:`);
  for (const e of summary.byInclusive.filter((e) => !match || e.name.includes(match))) {
    lines.push(`  ${pct(e.share)} ${String(e.ms).padStart(7)} ms  ${e.name}`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, match: { type: 'string' } },
  });
  const path = positionals[0];
  if (!path) {
    process.stderr.write('usage: tsx bench/profile-summary.ts <file.cpuprofile> [--top N] [--match text]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const top = Number(values.top);
  const summary = summarise(profile, values.match ? 400 : top);
  process.stdout.write(`${formatSummary(summary, values.match)}\n`);
}
