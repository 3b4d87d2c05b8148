import { userInfo } from 'node:os';
import { type Command, InvalidArgumentError } from 'commander';
import type { Config } from '../config/config.js';
import type { Directory } from '../directory/directory.js';
import type { EventContext } from '../directory/events/event-model.js';
import { createOutput, type Output } from './output.js';

/** What the composition root gives the CLI: a way to open the directory, and the service itself. */
export interface CliDependencies {
  /** Opens the directory's services over the database `--database` names (or its default). */
  openDirectory(database: string | undefined): Promise<OpenDirectory>;
  serve(config: Config, options: { demo: boolean }): Promise<void>;
}

export interface OpenDirectory {
  readonly directory: Directory;
  close(): Promise<void>;
}

export interface CommonOptions {
  database?: string;
  json?: boolean;
}

/** Adds the options every command takes (the CLI contract in docs/cli.md). */
export function common(command: Command): Command {
  return command
    .option('--database <path|postgres-url>', 'SQLite file or PostgreSQL URL (env ROSTER_DATABASE, default ./data/roster.db)')
    .option('--json', 'print one JSON document on stdout');
}

/** Runs one command's action with the directory open, and closes it whatever happens. */
export type WithDirectory = (options: CommonOptions, action: (directory: Directory, out: Output) => Promise<void>) => Promise<void>;

export function withDirectoryOf(dependencies: CliDependencies): WithDirectory {
  return async (options, action) => {
    const opened = await dependencies.openDirectory(options.database);
    try {
      await action(opened.directory, createOutput(options.json === true));
    } finally {
      await opened.close();
    }
  };
}

export const wholeNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
};

/** Who a CLI command runs for, in the audit log and in events: the operating-system user who ran it. */
export function cliActor(): EventContext {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = undefined;
  }
  return { actor: user ? { type: 'cli', user } : { type: 'cli' }, traceId: null };
}
