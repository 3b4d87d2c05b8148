import type { Command } from 'commander';
import { loadConfig, loginLinkUrl } from '../../config/config.js';
import { type CommonOptions, cliActor, common, type WithDirectory, wholeNumber } from '../common.js';
import { table } from '../output.js';

type AddOptions = CommonOptions & { givenName: string; familyName: string; role?: string };

/** `user add|list|deactivate|activate|set-password` and `admin login-link`. */
export function registerUserCommands(program: Command, withDirectory: WithDirectory): void {
  const user = program.command('user').description('users, as an admin manages them in the app');
  common(user.command('add <slug> <email>'))
    .requiredOption('--given-name <name>', 'first name')
    .requiredOption('--family-name <name>', 'last name')
    .option('--role <name>', 'role (default: the non-guest role with the lowest level)')
    .action(async (slug: string, email: string, options: AddOptions) =>
      withDirectory(options, async (directory, out) => {
        const added = await directory.users.add(
          slug,
          {
            email,
            givenName: options.givenName,
            familyName: options.familyName,
            ...(options.role ? { role: options.role } : {}),
          },
          cliActor(),
        );
        out.result(added, () => [`added user ${added.userName} (${added.id})`]);
      }),
    );
  common(user.command('list <slug>')).action(async (slug: string, options: CommonOptions) =>
    withDirectory(options, async (directory, out) => {
      const users = await directory.users.list(slug);
      out.result(users, () =>
        table([
          ['USERNAME', 'ACTIVE', 'SCIM', 'ID'],
          ...users.map((u) => [u.userName, u.active ? 'yes' : 'no', u.scimManaged ? (u.scimDeleted ? 'removed' : 'managed') : '-', u.id]),
        ]),
      );
    }),
  );
  const setActive = (active: boolean, verb: string) => async (slug: string, email: string, options: CommonOptions) =>
    withDirectory(options, async (directory, out) => {
      const changed = await directory.users.setActive(slug, email, active, cliActor());
      out.result(changed, () => [`${verb} ${changed.userName}`]);
    });
  common(user.command('deactivate <slug> <email>').description('deactivate a user (frees their seat)')).action(
    setActive(false, 'deactivated'),
  );
  common(user.command('activate <slug> <email>').description('reactivate a user (needs a free seat; sends a notice e-mail)')).action(
    setActive(true, 'activated'),
  );
  common(
    user
      .command('set-password <slug> <email>')
      .description('set the password of an external user (read from stdin; for the "SSO and password" policy)'),
  ).action(async (slug: string, email: string, options: CommonOptions) =>
    withDirectory(options, async (directory, out) => {
      const password = (await readStdin()).replace(/\r?\n$/, '');
      const changed = await directory.users.setPassword(slug, email, password);
      out.result({ userName: changed.userName, passwordSet: true }, () => [`set the password of ${changed.userName}`]);
    }),
  );

  const admin = program.command('admin').description('recover console access');
  common(admin.command('login-link <slug> <email>').description('print a one-time sign-in link for the console (valid 15 minutes)'))
    .option('--ttl-minutes <n>', 'minutes the link stays valid', wholeNumber, 15)
    .action(async (slug: string, email: string, options: CommonOptions & { ttlMinutes: number }) =>
      withDirectory(options, async (directory, out) => {
        const link = await directory.signIn.issueLink(slug, email, Math.max(1, options.ttlMinutes) * 60_000);
        const url = loginLinkUrl(loadConfig({}), slug, link.token);
        out.result({ url, expiresAt: link.expiresAt }, () => [url]);
      }),
    );
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new Error('pipe the password on stdin, e.g. printf %s "$PASSWORD" | roster user set-password …');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
