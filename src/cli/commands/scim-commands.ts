import { type Command, Option } from 'commander';
import { loadConfig, scimBaseUrl } from '../../config/config.js';
import { PROVIDERS, type Provider } from '../../directory/model.js';
import { type CommonOptions, cliActor, common, type WithDirectory } from '../common.js';

const GUIDES: Record<Provider, string> = {
  azure: 'docs/providers/entra-id.md',
  okta: 'docs/providers/okta.md',
  onelogin: 'docs/providers/onelogin.md',
  generic: 'docs/providers/generic.md',
};

/** `scim enable|rotate-token|disable`. */
export function registerScimCommands(program: Command, withDirectory: WithDirectory): void {
  const scim = program.command('scim').description('SCIM provisioning: enable, rotate the token, disable');
  common(scim.command('enable <slug>').description('enable SCIM (enterprise plan and SSO required) and print the base URL and token'))
    .addOption(new Option('--provider <provider>', 'identity provider').choices(PROVIDERS).makeOptionMandatory())
    .action(async (slug: string, options: CommonOptions & { provider: Provider }) =>
      withDirectory(options, async (directory) => {
        const baseUrl = scimBaseUrl(loadConfig({}));
        const { token } = await directory.integrations.enable(slug, options.provider, cliActor());
        printToken(baseUrl, token, options.provider);
      }),
    );
  common(scim.command('rotate-token <slug>').description('issue a new token and revoke the old one at once')).action(
    async (slug: string, options: CommonOptions) =>
      withDirectory(options, async (directory) => {
        // Read the configuration first: once the old token is revoked, the new one must be printed.
        const baseUrl = scimBaseUrl(loadConfig({}));
        const { token, integration } = await directory.integrations.rotateToken(slug, cliActor());
        printToken(baseUrl, token, integration.provider);
      }),
  );
  common(scim.command('disable <slug>').description('revoke every SCIM token of the workspace')).action(
    async (slug: string, options: CommonOptions) =>
      withDirectory(options, async (directory, out) => {
        const { revoked } = await directory.integrations.disable(slug, cliActor());
        out.result({ workspace: slug, revokedTokens: revoked }, () => [`SCIM disabled for '${slug}'; ${revoked} token(s) revoked`]);
      }),
  );
}

/** The token contract: one JSON document on stdout, whatever the flags; the hint goes to stderr. */
function printToken(baseUrl: string, token: string, provider: Provider): void {
  process.stdout.write(`${JSON.stringify({ baseUrl, token }, null, 2)}\n`);
  process.stderr.write(`The token is shown once. Set-up guide for this provider: ${GUIDES[provider]}\n`);
}
