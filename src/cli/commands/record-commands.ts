import type { Command } from 'commander';
import { type CommonOptions, common, type WithDirectory, wholeNumber } from '../common.js';
import { table } from '../output.js';

/** What the directory recorded: `log` (provisioning log), `audit` and `outbox list`. */
export function registerRecordCommands(program: Command, withDirectory: WithDirectory): void {
  common(program.command('log <slug>').description('the provisioning log: one entry per SCIM request, newest first'))
    .option('--limit <n>', 'entries to show', wholeNumber, 50)
    .option('--status <code>', 'only entries with this HTTP status', wholeNumber)
    .option('--trace-id <id>', 'only the request with this trace id')
    .action(async (slug: string, options: CommonOptions & { limit: number; status?: number; traceId?: string }) =>
      withDirectory(options, async (directory, out) => {
        const workspace = await directory.workspaces.require(slug);
        const entries = await directory.log.read(workspace, {
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
      withDirectory(options, async (directory, out) => {
        const entries = await directory.integrations.audit(slug, options.limit);
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
      withDirectory(options, async (directory, out) => {
        const workspace = await directory.workspaces.require(slug);
        const messages = await directory.outbox.list(workspace, options.limit);
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
}
