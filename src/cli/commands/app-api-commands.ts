import type { Command } from 'commander';
import { eventJson } from '../../directory/events/event-model.js';
import { type CommonOptions, common, type WithDirectory, wholeNumber } from '../common.js';
import { table } from '../output.js';

/** `api-key create|list|revoke`, `webhook add|list|remove|enable|test|deliveries` and `events` (docs/cli.md). */
export function registerAppApiCommands(program: Command, withDirectory: WithDirectory): void {
  registerApiKeyCommands(program, withDirectory);
  registerWebhookCommands(program, withDirectory);
  common(program.command('events <slug>').description("a page of the workspace's directory events, as GET /api/v1/events returns it"))
    .option(
      '--after <cursor>',
      'the next cursor of an earlier page, or latest for the cursor after the newest event (default: the oldest retained event)',
    )
    .option('--limit <n>', 'events to show (1 to 1000)', wholeNumber, 100)
    .action(async (slug: string, options: CommonOptions & { after?: string; limit: number }) =>
      withDirectory(options, async (directory, out) => {
        const workspace = await directory.workspaces.require(slug);
        // Events this CLI or a stopped server recorded get their numbers first.
        await directory.events.number();
        const page = await directory.events.read({
          workspace,
          limit: Math.min(1000, Math.max(1, options.limit)),
          ...(options.after ? { after: options.after } : {}),
        });
        const data = page.data.map((event) => JSON.parse(eventJson(event)) as unknown);
        out.result({ data, next: page.next, hasMore: page.hasMore }, () => [
          ...page.data.map((e) => `${e.sequence}  ${e.occurredAt}  ${e.type}  ${e.id}`),
          `next: ${page.next}${page.hasMore ? ' (more)' : ''}`,
        ]);
      }),
    );
}

function registerApiKeyCommands(program: Command, withDirectory: WithDirectory): void {
  const apiKey = program.command('api-key').description('keys of the application API (/api/v1)');
  common(apiKey.command('create').description('create a key (shown once): for one workspace, or for every workspace'))
    .option('--workspace <slug>', 'the workspace the key may read (default: every workspace)')
    .option('--name <label>', 'a label to recognise the key by')
    .action(async (options: CommonOptions & { workspace?: string; name?: string }) =>
      withDirectory(options, async (directory, out) => {
        const issued = await directory.apiKeys.create(options.workspace, options.name);
        out.result(issued, () => [`created API key ${issued.id} (${issued.workspace ?? 'every workspace'}); shown once:`, issued.key]);
      }),
    );
  common(apiKey.command('list').description('list keys (never the keys themselves)'))
    .option('--workspace <slug>', "only the workspace's keys")
    .action(async (options: CommonOptions & { workspace?: string }) =>
      withDirectory(options, async (directory, out) => {
        const keys = await directory.apiKeys.list(options.workspace);
        out.result(keys, () =>
          table([
            ['ID', 'WORKSPACE', 'NAME', 'LAST USED', 'STATUS'],
            ...keys.map((k) => [k.id, k.workspace ?? '*', k.name, k.lastUsedAt ?? '-', k.revokedAt ? `revoked ${k.revokedAt}` : 'live']),
          ]),
        );
      }),
    );
  common(apiKey.command('revoke <id>').description('revoke a key at once')).action(async (id: string, options: CommonOptions) =>
    withDirectory(options, async (directory, out) => {
      const revoked = await directory.apiKeys.revoke(id);
      out.result(revoked, () => [`revoked API key ${revoked.id}`]);
    }),
  );
}

function registerWebhookCommands(program: Command, withDirectory: WithDirectory): void {
  const webhook = program.command('webhook').description('webhook endpoints: signed, ordered event deliveries');
  common(webhook.command('add <url>').description('add an endpoint (its signing secret is shown once)'))
    .option('--workspace <slug>', "only the workspace's events (default: every workspace)")
    .option('--events <list>', 'comma-separated event types and globs, e.g. user.*,role.created (default: all)')
    .action(async (url: string, options: CommonOptions & { workspace?: string; events?: string }) =>
      withDirectory(options, async (directory, out) => {
        const events = options.events
          ?.split(',')
          .map((t) => t.trim())
          .filter(Boolean);
        const added = await directory.webhooks.add(url, {
          ...(options.workspace ? { workspace: options.workspace } : {}),
          ...(events && events.length > 0 ? { events } : {}),
        });
        out.result(added, () => [`added webhook endpoint ${added.id} for ${added.url}; signing secret (shown once):`, added.secret]);
      }),
    );
  common(webhook.command('list').description('list endpoints and whether they are enabled')).action(async (options: CommonOptions) =>
    withDirectory(options, async (directory, out) => {
      const endpoints = await directory.webhooks.list();
      out.result(endpoints, () =>
        table([
          ['ID', 'WORKSPACE', 'EVENTS', 'STATUS', 'URL'],
          ...endpoints.map((e) => [
            e.id,
            e.workspace ?? '*',
            e.events?.join(',') ?? '*',
            e.enabled ? 'enabled' : `disabled: ${e.disabledReason}`,
            e.url,
          ]),
        ]),
      );
    }),
  );
  const byId = (name: string, description: string, run: WebhookAction) =>
    common(webhook.command(`${name} <id>`).description(description)).action(async (id: string, options: CommonOptions) =>
      withDirectory(options, async (directory, out) => {
        const result = await run(directory, id);
        out.result(result.data, () => result.lines);
      }),
    );
  byId('remove', 'remove an endpoint and its deliveries', async (d, id) => ({
    data: await d.webhooks.remove(id),
    lines: [`removed ${id}`],
  }));
  byId('enable', 'enable an endpoint again; delivery resumes where it stopped', async (d, id) => ({
    data: await d.webhooks.enable(id),
    lines: [`enabled ${id}`],
  }));
  byId('test', 'send a signed webhook.test event now and show the answer', async (d, id) => {
    const result = await d.webhooks.test(id);
    return {
      data: result,
      lines: [result.delivered ? `delivered (${result.responseStatus})` : `not delivered: ${result.error ?? result.responseStatus}`],
    };
  });
  byId('deliveries', "the endpoint's deliveries, newest first", async (d, id) => {
    const deliveries = await d.webhooks.deliveries(id);
    return {
      data: deliveries,
      lines: table([
        ['EVENT', 'TYPE', 'STATUS', 'ATTEMPTS', 'HTTP', 'NEXT'],
        ...deliveries.map((x) => [
          x.eventId,
          x.type,
          x.status,
          String(x.attempts),
          String(x.responseStatus ?? '-'),
          x.nextAttemptAt ?? '-',
        ]),
      ]),
    };
  });
}

type WebhookAction = (directory: Parameters<Parameters<WithDirectory>[1]>[0], id: string) => Promise<{ data: unknown; lines: string[] }>;
