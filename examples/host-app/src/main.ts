/**
 * The host app: keeps its own members table of one Roster workspace in step, and prints each
 * change it applies. See ../README.md.
 *
 *   ROSTER_API_KEY=roster_key_… ROSTER_WORKSPACE=acme npx tsx src/main.ts events
 *   ROSTER_API_KEY=roster_key_… ROSTER_WORKSPACE=acme WEBHOOK_SECRET=whsec_… npx tsx src/main.ts webhooks
 */
import { EventsSync } from './events-sync.js';
import { MembersTable } from './members.js';
import { type AppUser, RosterClient, type RosterEvent } from './roster-client.js';
import { WebhookSync } from './webhook-sync.js';

function setting(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined) {
    console.error(`Set ${name} (see README.md).`);
    process.exit(2);
  }
  return value;
}

const mode = process.argv[2] ?? 'events';
const workspace = setting('ROSTER_WORKSPACE');
const client = new RosterClient(setting('ROSTER_URL', 'http://127.0.0.1:8080'), setting('ROSTER_API_KEY'));
const table = new MembersTable();

const summary = () => {
  const members = table.all();
  return `${members.length} members, ${members.filter((m) => m.active).length} active`;
};
const onEvent = (event: RosterEvent) => {
  const user = event.data.user as AppUser | undefined;
  console.log(`#${event.sequence} ${event.type} ${user?.userName ?? ''} → ${summary()}`);
};

if (mode === 'events') {
  const sync = new EventsSync(client, table, { workspace, onEvent, onError: (error) => console.error(String(error)) });
  await sync.start();
  console.log(`Loaded ${summary()} from the users list; following the events of '${workspace}'.`);
  process.once('SIGINT', () => void sync.stop());
} else if (mode === 'webhooks') {
  const sync = new WebhookSync(client, table, { workspace, secret: setting('WEBHOOK_SECRET'), onEvent });
  const host = setting('HOST', '127.0.0.1');
  const port = await sync.listen(Number(setting('PORT', '4000')), host);
  await sync.load();
  console.log(`Loaded ${summary()} from the users list; receiving webhooks on http://${host}:${port}/.`);
  process.once('SIGINT', () => void sync.close());
} else {
  console.error(`Unknown mode '${mode}': use events or webhooks.`);
  process.exit(2);
}
