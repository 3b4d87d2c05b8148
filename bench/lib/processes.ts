import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A server the benchmark started as a child process (loopback only). */
export interface ServerProcess {
  readonly pid: number;
  readonly url: string;
  /** Resident set size of the child, in MB (VmRSS), and its peak (VmHWM). */
  memory(): { rssMb: number; peakMb: number };
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return { rssMb: Number.NaN, peakMb: Number.NaN };
  }
}

/**
 * Starts a Node process (`node --import tsx <args>`, or `node <args>` for compiled code), waits until `readyPath` answers 200, and
 * returns a handle. Output goes to `logFile`.
 */
export async function startNode(options: {
  args: readonly string[];
  nodeFlags?: readonly string[];
  /** Run the file through tsx (TypeScript source) or as plain JavaScript (compiled). */
  loader?: 'tsx' | 'none';
  env?: Record<string, string>;
  cwd?: string;
  port: number;
  readyPath: string;
  logFile: string;
  timeoutMs?: number;
}): Promise<ServerProcess> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), ...(options.loader === 'none' ? [] : ['--import', 'tsx']), ...options.args],
    {
      env: { ...process.env, ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`${options.args.join(' ')} ${exited} before it was ready (see ${options.logFile})`);
    try {
      const response = await fetch(`${url}${options.readyPath}`);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.args.join(' ')} was not ready within ${options.timeoutMs ?? 60_000} ms (see ${options.logFile})`);
    }
    await sleep(100);
  }
  const pid = child.pid as number;
  return {
    pid,
    url,
    memory: () => memoryOf(pid),
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exit.then(() => false), sleep(20_000).then(() => true)]);
      if (killed) {
        child.kill('SIGKILL');
        await exit;
      }
      log.end();
    },
  };
}
