import { cliDependencies } from './app/cli.js';
import { exitCodeOf } from './cli/exit-codes.js';
import { buildProgram } from './cli/program.js';
import { isDirectoryError } from './directory/errors.js';

/**
 * The entry point: the composition root (`src/app/`) gives the CLI its dependencies, one command
 * runs, and any failure becomes one line on stderr and an exit status (1, or the directory
 * error's status: src/cli/exit-codes.ts).
 */
async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram(cliDependencies()).parseAsync(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`roster: ${message.split('\n')[0]}\n`);
    process.exitCode = isDirectoryError(error) ? exitCodeOf(error.code) : 1;
  }
}

await main(process.argv);
