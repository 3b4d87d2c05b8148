import { buildProgram } from './cli/program.js';
import { DirectoryError } from './directory/directory-error.js';

/** The composition root: parses the command line and runs one command. */
async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    const message = error instanceof DirectoryError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`roster: ${message.split('\n')[0]}\n`);
    process.exitCode = 1;
  }
}

await main(process.argv);
