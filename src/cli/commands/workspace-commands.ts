import { type Command, Option } from 'commander';
import { LOGIN_POLICIES, type LoginPolicy, PLANS, type Plan } from '../../directory/model.js';
import { type CommonOptions, common, type WithDirectory, wholeNumber } from '../common.js';
import { table } from '../output.js';

type UpdateOptions = CommonOptions & { name?: string; plan?: Plan; seats?: number; defaultLanguage?: string; loginPolicy?: LoginPolicy };

/** `workspace create|update|list` and `sso configure`. */
export function registerWorkspaceCommands(program: Command, withDirectory: WithDirectory): void {
  const workspace = program.command('workspace').description('create and list workspaces');
  common(workspace.command('create <slug>').description('create a workspace with the roles Admin, Member and Guest'))
    .option('--name <name>', 'display name')
    .addOption(new Option('--plan <plan>', 'subscription plan').choices(PLANS).default('standard'))
    .option('--seats <n>', 'user licenses', wholeNumber, 10)
    .action(async (slug: string, options: CommonOptions & { name?: string; plan: Plan; seats: number }) =>
      withDirectory(options, async (directory, out) => {
        const created = await directory.workspaces.create({
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
    .action(async (slug: string, options: UpdateOptions) =>
      withDirectory(options, async (directory, out) => {
        const updated = await directory.workspaces.update(slug, {
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
    withDirectory(options, async (directory, out) => {
      const all = await directory.workspaces.list();
      out.result(all, () => table([['SLUG', 'PLAN', 'SEATS', 'NAME'], ...all.map((w) => [w.slug, w.plan, String(w.seats), w.name])]));
    }),
  );

  const sso = program.command('sso').description('single sign-on settings');
  common(sso.command('configure <slug>').description("store the workspace's OpenID Connect settings"))
    .requiredOption('--issuer <url>', 'OpenID Connect issuer URL')
    .requiredOption('--client-id <id>', 'client id')
    .requiredOption('--client-secret <secret>', 'client secret (never printed again)')
    .action(async (slug: string, options: CommonOptions & { issuer: string; clientId: string; clientSecret: string }) =>
      withDirectory(options, async (directory, out) => {
        const { issuer, clientId, clientSecret } = options;
        const config = await directory.workspaces.configureSso(slug, { issuer, clientId, clientSecret });
        const shown = { workspace: slug, issuer: config.issuer, clientId: config.clientId, updatedAt: config.updatedAt };
        out.result(shown, () => [`single sign-on configured for '${slug}' (issuer ${config.issuer})`]);
      }),
    );
}
