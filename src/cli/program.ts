import { userInfo } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { databaseFrom, loadConfig, loginLinkUrl, scimBaseUrl } from '../config/config.js';
import { addAppUser, listAppUsers, setUserActive } from '../directory/app-users.js';
import { LOGIN_POLICIES, type LoginPolicy, PLANS, type Plan, PROVIDERS, type Provider } from '../directory/model.js';
import { listOutbox } from '../directory/outbox.js';
import type { DirectoryStore } from '../directory/ports.js';
import { readLog } from '../directory/provisioning-log.js';
import { createRole, listRoles, renameRole } from '../directory/roles.js';
import { disableScim, enableScim, readAudit, rotateToken } from '../directory/scim-integration.js';
import { issueLoginLink, setUserPassword } from '../directory/sign-in.js';
import { createTeam, listTeams } from '../directory/teams.js';
import { configureSso, createWorkspace, requireWorkspace, updateWorkspace } from '../directory/workspaces.js';
import { openStore } from '../storage/open-store.js';
import { createOutput, type Output, table } from './output.js';
import { serve } from './serve-command.js';

interface CommonOptions {
  database?: string;
  json?: boolean;
}

const GUIDES: Record<Provider, string> = {
  azure: 'docs/providers/entra-id.md',
  okta: 'docs/providers/okta.md',
  onelogin: 'docs/providers/onelogin.md',
  generic: 'docs/providers/generic.md',
};

const wholeNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
};

/** Adds the options every command takes (the CLI contract in docs/cli.md). */
function common(command: Command): Command {
  return command
    .option('--database <path|postgres-url>', 'SQLite file or PostgreSQL URL (env ROSTER_DATABASE, default ./data/roster.db)')
    .option('--json', 'print one JSON document on stdout');
}

/** Opens the store, runs the action, closes the store. */
async function withStore(options: CommonOptions, action: (store: DirectoryStore, out: Output) => Promise<void>) {
  const store = await openStore(databaseFrom(options.database));
  try {
    await action(store, createOutput(options.json === true));
  } finally {
    await store.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('roster')
    .description('Roster: a workspace user directory provisioned over SCIM 2.0')
    .showHelpAfterError(false)
    .configureOutput({ outputError: (text, write) => write(`${text.trim().split('\n')[0]}\n`) });

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
      await serve(config, { demo: options.demo && process.env.ROSTER_DEMO !== '0' });
    });

  common(program.command('migrate').description('apply pending database migrations')).action(async (options: CommonOptions) => {
    await withStore(options, async (_store, out) => out.result({ migrated: true }, () => ['database is up to date']));
  });

  const workspace = program.command('workspace').description('create and list workspaces');
  common(workspace.command('create <slug>').description('create a workspace with the roles Admin, Member and Guest'))
    .option('--name <name>', 'display name')
    .addOption(new Option('--plan <plan>', 'subscription plan').choices(PLANS).default('standard'))
    .option('--seats <n>', 'user licenses', wholeNumber, 10)
    .action(async (slug: string, options: CommonOptions & { name?: string; plan: Plan; seats: number }) =>
      withStore(options, async (store, out) => {
        const created = await createWorkspace(store, {
          slug,
          plan: options.plan,
          seats: options.seats,
          ...(options.name ? { name: options.name } : {}),
        });
        out.result(created, () => [`created workspace '${created.slug}' (${created.plan}, ${created.seats} seats)`]);
      }),
    );
  common(workspace.command('update <slug>').description("change a workspace's name, plan, seats, default language or login policy"))
    .option('--name <name>', 'display name')
    .addOption(new Option('--plan <plan>', 'subscription plan').choices(PLANS))
    .option('--seats <n>', 'user licenses', wholeNumber)
    .addOption(new Option('--default-language <tag>', 'language for users whose language is not supported').choices(['de-DE', 'en-GB']))
    .addOption(
      new Option(
        '--login-policy <policy>',
        'sso_only: everyone signs in through SSO; sso_and_password: external users keep a password',
      ).choices(LOGIN_POLICIES),
    )
    .action(
      async (
        slug: string,
        options: CommonOptions & { name?: string; plan?: Plan; seats?: number; defaultLanguage?: string; loginPolicy?: LoginPolicy },
      ) =>
        withStore(options, async (store, out) => {
          const updated = await updateWorkspace(store, slug, {
            ...(options.name !== undefined ? { name: options.name } : {}),
            ...(options.plan !== undefined ? { plan: options.plan } : {}),
            ...(options.seats !== undefined ? { seats: options.seats } : {}),
            ...(options.defaultLanguage !== undefined ? { defaultLanguage: options.defaultLanguage } : {}),
            ...(options.loginPolicy !== undefined ? { loginPolicy: options.loginPolicy } : {}),
          });
          out.result(updated, () => [`updated workspace '${updated.slug}' (${updated.plan}, ${updated.seats} seats)`]);
        }),
    );
  common(workspace.command('list').description('list workspaces')).action(async (options: CommonOptions) =>
    withStore(options, async (store, out) => {
      const all = await store.read.workspaces.list();
      out.result(all, () => table([['SLUG', 'PLAN', 'SEATS', 'NAME'], ...all.map((w) => [w.slug, w.plan, String(w.seats), w.name])]));
    }),
  );

  const sso = program.command('sso').description('single sign-on settings');
  common(sso.command('configure <slug>').description("store the workspace's OpenID Connect settings"))
    .requiredOption('--issuer <url>', 'OpenID Connect issuer URL')
    .requiredOption('--client-id <id>', 'client id')
    .requiredOption('--client-secret <secret>', 'client secret (never printed again)')
    .action(async (slug: string, options: CommonOptions & { issuer: string; clientId: string; clientSecret: string }) =>
      withStore(options, async (store, out) => {
        const config = await configureSso(store, slug, options);
        const shown = { workspace: slug, issuer: config.issuer, clientId: config.clientId, updatedAt: config.updatedAt };
        out.result(shown, () => [`single sign-on configured for '${slug}' (issuer ${config.issuer})`]);
      }),
    );

  const scim = program.command('scim').description('SCIM provisioning: enable, rotate the token, disable');
  common(scim.command('enable <slug>').description('enable SCIM (enterprise plan and SSO required) and print the base URL and token'))
    .addOption(new Option('--provider <provider>', 'identity provider').choices(PROVIDERS).makeOptionMandatory())
    .action(async (slug: string, options: CommonOptions & { provider: Provider }) =>
      withStore(options, async (store) => {
        const baseUrl = scimBaseUrl(loadConfig({}));
        const { token } = await enableScim(store, slug, options.provider, cliActor());
        printToken(baseUrl, token, options.provider);
      }),
    );
  common(scim.command('rotate-token <slug>').description('issue a new token and revoke the old one at once')).action(
    async (slug: string, options: CommonOptions) =>
      withStore(options, async (store) => {
        // Read the configuration first: once the old token is revoked, the new one must be printed.
        const baseUrl = scimBaseUrl(loadConfig({}));
        const { token, integration } = await rotateToken(store, slug, cliActor());
        printToken(baseUrl, token, integration.provider);
      }),
  );
  common(scim.command('disable <slug>').description('revoke every SCIM token of the workspace')).action(
    async (slug: string, options: CommonOptions) =>
      withStore(options, async (store, out) => {
        const { revoked } = await disableScim(store, slug, cliActor());
        out.result({ workspace: slug, revokedTokens: revoked }, () => [`SCIM disabled for '${slug}'; ${revoked} token(s) revoked`]);
      }),
  );

  const role = program.command('role').description('roles (exposed over SCIM as Groups)');
  common(role.command('list <slug>')).action(async (slug: string, options: CommonOptions) =>
    withStore(options, async (store, out) => {
      const roles = await listRoles(store, slug);
      out.result(roles, () =>
        table([['NAME', 'LEVEL', 'GUEST', 'ID'], ...roles.map((r) => [r.name, String(r.level), r.isGuest ? 'yes' : 'no', r.id])]),
      );
    }),
  );
  common(role.command('create <slug> <name>'))
    .option('--level <n>', 'permission level (higher means more rights)', wholeNumber, 10)
    .action(async (slug: string, name: string, options: CommonOptions & { level: number }) =>
      withStore(options, async (store, out) => {
        const created = await createRole(store, slug, name, options.level);
        out.result(created, () => [`created role '${created.name}' (level ${created.level})`]);
      }),
    );
  common(role.command('rename <slug> <old> <new>').description('rename a role; its SCIM id stays the same')).action(
    async (slug: string, oldName: string, newName: string, options: CommonOptions) =>
      withStore(options, async (store, out) => {
        const renamed = await renameRole(store, slug, oldName, newName);
        out.result(renamed, () => [`renamed role '${oldName}' to '${renamed.name}'`]);
      }),
  );

  const team = program.command('team').description('teams (the SCIM teams extension matches them by name)');
  common(team.command('create <slug> <name>')).action(async (slug: string, name: string, options: CommonOptions) =>
    withStore(options, async (store, out) => {
      const created = await createTeam(store, slug, name);
      out.result(created, () => [`created team '${created.name}'`]);
    }),
  );
  common(team.command('list <slug>')).action(async (slug: string, options: CommonOptions) =>
    withStore(options, async (store, out) => {
      const teams = await listTeams(store, slug);
      out.result(teams, () => teams.map((t) => t.name));
    }),
  );

  const user = program.command('user').description('users, as an admin manages them in the app');
  common(user.command('add <slug> <email>'))
    .requiredOption('--given-name <name>', 'first name')
    .requiredOption('--family-name <name>', 'last name')
    .option('--role <name>', 'role (default: the non-guest role with the lowest level)')
    .action(async (slug: string, email: string, options: CommonOptions & { givenName: string; familyName: string; role?: string }) =>
      withStore(options, async (store, out) => {
        const added = await addAppUser(store, slug, {
          email,
          givenName: options.givenName,
          familyName: options.familyName,
          ...(options.role ? { role: options.role } : {}),
        });
        out.result(added, () => [`added user ${added.userName} (${added.id})`]);
      }),
    );
  common(user.command('list <slug>')).action(async (slug: string, options: CommonOptions) =>
    withStore(options, async (store, out) => {
      const users = await listAppUsers(store, slug);
      out.result(users, () =>
        table([
          ['USERNAME', 'ACTIVE', 'SCIM', 'ID'],
          ...users.map((u) => [u.userName, u.active ? 'yes' : 'no', u.scimManaged ? (u.scimDeleted ? 'removed' : 'managed') : '-', u.id]),
        ]),
      );
    }),
  );
  common(user.command('deactivate <slug> <email>').description('deactivate a user (frees their seat)')).action(
    async (slug: string, email: string, options: CommonOptions) =>
      withStore(options, async (store, out) => {
        const changed = await setUserActive(store, slug, email, false);
        out.result(changed, () => [`deactivated ${changed.userName}`]);
      }),
  );
  common(user.command('activate <slug> <email>').description('reactivate a user (needs a free seat; sends a notice e-mail)')).action(
    async (slug: string, email: string, options: CommonOptions) =>
      withStore(options, async (store, out) => {
        const changed = await setUserActive(store, slug, email, true);
        out.result(changed, () => [`activated ${changed.userName}`]);
      }),
  );

  common(
    user
      .command('set-password <slug> <email>')
      .description('set the password of an external user (read from stdin; for the "SSO and password" policy)'),
  ).action(async (slug: string, email: string, options: CommonOptions) =>
    withStore(options, async (store, out) => {
      const password = (await readStdin()).replace(/\r?\n$/, '');
      const changed = await setUserPassword(store, slug, email, password);
      out.result({ userName: changed.userName, passwordSet: true }, () => [`set the password of ${changed.userName}`]);
    }),
  );

  const admin = program.command('admin').description('recover console access');
  common(admin.command('login-link <slug> <email>').description('print a one-time sign-in link for the console (valid 15 minutes)'))
    .option('--ttl-minutes <n>', 'minutes the link stays valid', wholeNumber, 15)
    .action(async (slug: string, email: string, options: CommonOptions & { ttlMinutes: number }) =>
      withStore(options, async (store, out) => {
        const link = await issueLoginLink(store, slug, email, Math.max(1, options.ttlMinutes) * 60_000);
        const url = loginLinkUrl(loadConfig({}), slug, link.token);
        out.result({ url, expiresAt: link.expiresAt }, () => [url]);
      }),
    );

  common(program.command('log <slug>').description('the provisioning log: one entry per SCIM request, newest first'))
    .option('--limit <n>', 'entries to show', wholeNumber, 50)
    .option('--status <code>', 'only entries with this HTTP status', wholeNumber)
    .option('--trace-id <id>', 'only the request with this trace id')
    .action(async (slug: string, options: CommonOptions & { limit: number; status?: number; traceId?: string }) =>
      withStore(options, async (store, out) => {
        const workspace = await requireWorkspace(store, slug);
        const entries = await readLog(store, workspace.id, {
          limit: options.limit,
          ...(options.status !== undefined ? { status: options.status } : {}),
          ...(options.traceId ? { traceId: options.traceId } : {}),
        });
        const shown = entries.map(({ workspaceId: _w, id: _i, ...entry }) => entry);
        out.result(shown, () =>
          entries.map((e) =>
            [e.time, e.traceId, e.method, e.path, String(e.status), e.detail ?? '', e.warnings.join('; ')].filter(Boolean).join('  '),
          ),
        );
      }),
    );

  common(program.command('audit <slug>').description('who enabled or disabled SCIM and created or revoked tokens, newest first'))
    .option('--limit <n>', 'entries to show', wholeNumber, 100)
    .action(async (slug: string, options: CommonOptions & { limit: number }) =>
      withStore(options, async (store, out) => {
        const entries = await readAudit(store, slug, options.limit);
        const shown = entries.map(({ workspaceId: _w, id: _i, ...entry }) => entry);
        out.result(shown, () =>
          table([['TIME', 'ACTOR', 'ACTION', 'DETAIL'], ...entries.map((e) => [e.time, e.actor, e.action, e.detail])]),
        );
      }),
    );

  const outbox = program.command('outbox').description('e-mail notices waiting for delivery or delivered');
  common(outbox.command('list <slug>'))
    .option('--limit <n>', 'messages to show', wholeNumber, 100)
    .action(async (slug: string, options: CommonOptions & { limit: number }) =>
      withStore(options, async (store, out) => {
        const workspace = await requireWorkspace(store, slug);
        const messages = await listOutbox(store, workspace.id, options.limit);
        const shown = messages.map(({ workspaceId: _w, ...m }) => m);
        out.result(shown, () =>
          table([
            ['CREATED', 'TO', 'STATUS', 'SUBJECT'],
            ...messages.map((m) => [
              m.createdAt,
              m.recipient,
              m.sentAt ? `sent ${m.sentAt}` : `queued (${m.attempts} attempts)`,
              m.subject,
            ]),
          ]),
        );
      }),
    );
  return program;
}

/** The token contract: one JSON document on stdout, whatever the flags; the hint goes to stderr. */
function printToken(baseUrl: string, token: string, provider: Provider): void {
  process.stdout.write(`${JSON.stringify({ baseUrl, token }, null, 2)}\n`);
  process.stderr.write(`The token is shown once. Set-up guide for this provider: ${GUIDES[provider]}\n`);
}

/** The audit log's actor for CLI commands: the operating-system user who ran them. */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new Error('pipe the password on stdin, e.g. printf %s "$PASSWORD" | roster user set-password …');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
