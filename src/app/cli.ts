import type { CliDependencies } from '../cli/common.js';
import { databaseFrom, flag, loadConfig } from '../config/config.js';
import { openStore } from '../storage/open-store.js';
import { directoryOver } from './compose.js';
import { serve } from './serve.js';

/** What the CLI gets from the composition root: the directory over a database, and `serve`. */
export function cliDependencies(): CliDependencies {
  return {
    async openDirectory(option) {
      const database = databaseFrom(option);
      const store = await openStore(database);
      // Commands other than serve read only the database setting and, for `webhook add`, whether
      // private addresses are allowed (docs/configuration.md): the rest is the defaults.
      const defaults = loadConfig({ database }, {});
      const allowPrivate = flag(process.env.ROSTER_ALLOW_PRIVATE_WEBHOOKS, 'ROSTER_ALLOW_PRIVATE_WEBHOOKS');
      const config = { ...defaults, webhooks: { ...defaults.webhooks, allowPrivate } };
      return { directory: directoryOver(store, config), close: () => store.close() };
    },
    serve,
  };
}
