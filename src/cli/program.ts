import { Command } from 'commander';
import { registerAppApiCommands } from './commands/app-api-commands.js';
import { registerRecordCommands } from './commands/record-commands.js';
import { registerRoleTeamCommands } from './commands/role-team-commands.js';
import { registerScimCommands } from './commands/scim-commands.js';
import { registerServiceCommands } from './commands/service-commands.js';
import { registerUserCommands } from './commands/user-commands.js';
import { registerWorkspaceCommands } from './commands/workspace-commands.js';
import { type CliDependencies, withDirectoryOf } from './common.js';

/**
 * The `roster` command line (the contract in docs/cli.md): one file per command group under
 * `commands/`, each a thin wrapper over the directory's services, which the composition root
 * opens for it.
 */
export function buildProgram(dependencies: CliDependencies): Command {
  const program = new Command('roster')
    .description('Roster: a workspace user directory provisioned over SCIM 2.0')
    .showHelpAfterError(false)
    .configureOutput({ outputError: (text, write) => write(`${text.trim().split('\n')[0]}\n`) });
  const withDirectory = withDirectoryOf(dependencies);
  registerServiceCommands(program, withDirectory, dependencies);
  registerWorkspaceCommands(program, withDirectory);
  registerScimCommands(program, withDirectory);
  registerRoleTeamCommands(program, withDirectory);
  registerUserCommands(program, withDirectory);
  registerRecordCommands(program, withDirectory);
  registerAppApiCommands(program, withDirectory);
  return program;
}
