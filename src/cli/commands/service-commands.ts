import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { type CliDependencies, type CommonOptions, common, type WithDirectory, wholeNumber } from '../common.js';

/** `serve` (the HTTP service) and `migrate`. */
export function registerServiceCommands(program: Command, withDirectory: WithDirectory, dependencies: CliDependencies): void {
  common(program.command('serve').description('run the HTTP service (GET /healthz answers 200 when ready)'))
    .option('--host <host>', 'address to listen on (env ROSTER_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (env ROSTER_PORT, default 8080)', wholeNumber)
    .option('--no-demo', 'do not create the demo workspace on an empty database')
    .action(async (options: CommonOptions & { host?: string; port?: number; demo: boolean }) => {
      const config = loadConfig({
        ...(options.database ? { database: options.database } : {}),
        ...(options.host ? { host: options.host } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
      });
      await dependencies.serve(config, { demo: options.demo && process.env.ROSTER_DEMO !== '0' });
    });

  common(program.command('migrate').description('apply pending database migrations')).action(async (options: CommonOptions) => {
    await withDirectory(options, async (_directory, out) => out.result({ migrated: true }, () => ['database is up to date']));
  });
}
