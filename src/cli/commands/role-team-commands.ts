import type { Command } from 'commander';
import { type CommonOptions, cliActor, common, type WithDirectory, wholeNumber } from '../common.js';
import { table } from '../output.js';

/** `role list|create|rename` and `team create|list`. */
export function registerRoleTeamCommands(program: Command, withDirectory: WithDirectory): void {
  const role = program.command('role').description('roles (exposed over SCIM as Groups)');
  common(role.command('list <slug>')).action(async (slug: string, options: CommonOptions) =>
    withDirectory(options, async (directory, out) => {
      const roles = await directory.roles.list(slug);
      out.result(roles, () =>
        table([['NAME', 'LEVEL', 'GUEST', 'ID'], ...roles.map((r) => [r.name, String(r.level), r.isGuest ? 'yes' : 'no', r.id])]),
      );
    }),
  );
  common(role.command('create <slug> <name>'))
    .option('--level <n>', 'permission level (higher means more rights)', wholeNumber, 10)
    .action(async (slug: string, name: string, options: CommonOptions & { level: number }) =>
      withDirectory(options, async (directory, out) => {
        const created = await directory.roles.create(slug, name, options.level, cliActor());
        out.result(created, () => [`created role '${created.name}' (level ${created.level})`]);
      }),
    );
  common(role.command('rename <slug> <old> <new>').description('rename a role; its SCIM id stays the same')).action(
    async (slug: string, oldName: string, newName: string, options: CommonOptions) =>
      withDirectory(options, async (directory, out) => {
        const renamed = await directory.roles.rename(slug, oldName, newName, cliActor());
        out.result(renamed, () => [`renamed role '${oldName}' to '${renamed.name}'`]);
      }),
  );

  const team = program.command('team').description('teams (the SCIM teams extension matches them by name)');
  common(team.command('create <slug> <name>')).action(async (slug: string, name: string, options: CommonOptions) =>
    withDirectory(options, async (directory, out) => {
      const created = await directory.teams.create(slug, name, cliActor());
      out.result(created, () => [`created team '${created.name}'`]);
    }),
  );
  common(team.command('list <slug>')).action(async (slug: string, options: CommonOptions) =>
    withDirectory(options, async (directory, out) => {
      const teams = await directory.teams.list(slug);
      out.result(teams, () => teams.map((t) => t.name));
    }),
  );
}
