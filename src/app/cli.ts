import type { CliDependencies } from '../cli/common.js';
import { databaseFrom, loadConfig } from '../config/config.js';
import { openStore } from '../storage/open-store.js';
import { directoryOver } from './compose.js';
import { serve } from './serve.js';

/** What the CLI gets from the composition root: the directory over a database, and `serve`. */
export function cliDependencies(): CliDependencies {
  return {
    async openDirectory(option) {
      const database = databaseFrom(option);
      const store = await openStore(database);
      // Commands other than serve read only the database setting (docs/configuration.md): the
      // directory gets the default limits, not the environment's.
      return { directory: directoryOver(store, loadConfig({ database }, {})), close: () => store.close() };
    },
    serve,
  };
}
