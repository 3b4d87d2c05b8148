import { DirectoryError } from '../directory/errors.js';
import type { WebhookAnswer, WebhookMessage, WebhookSender } from '../directory/webhooks/webhook-sender.js';
import { type AddressPolicy, assertPublicUrl } from '../net/address-policy.js';
import { type GuardedFetch, guardedFetch } from '../net/guarded-fetch.js';
import { newSigningSecret, webhookHeaders } from './standard-webhooks.js';

export interface WebhookSenderOptions {
  /** Allow URLs on loopback, link-local and private addresses, and plain http: ROSTER_ALLOW_PRIVATE_WEBHOOKS. */
  readonly allowPrivate: boolean;
  /** An answer must come within this many milliseconds (10 s), else the attempt failed. */
  readonly timeoutMs: number;
}

/**
 * Sends webhook deliveries over HTTP(S): a POST of the event JSON with the Standard Webhooks
 * headers, through the guarded fetch (public addresses only, checked at connect time; no
 * redirects followed, which the spec advises too).
 */
export class HttpWebhookSender implements WebhookSender {
  private readonly policy: AddressPolicy;
  private readonly fetch: GuardedFetch;

  constructor(private readonly options: WebhookSenderOptions) {
    this.policy = { allowPrivate: options.allowPrivate };
    this.fetch = guardedFetch(this.policy);
  }

  newSecret(): string {
    return newSigningSecret();
  }

  async checkUrl(text: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new DirectoryError('invalidArgument', `'${text.slice(0, 200)}' is not a URL`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.options.allowPrivate)) {
      throw new DirectoryError('invalidArgument', 'a webhook URL must use https (http only with ROSTER_ALLOW_PRIVATE_WEBHOOKS=1)');
    }
    if (url.username || url.password) throw new DirectoryError('invalidArgument', 'a webhook URL may not hold a user name or password');
    try {
      await assertPublicUrl(url, this.policy);
    } catch (error) {
      throw new DirectoryError(
        'invalidArgument',
        `${url.hostname} is on a loopback, link-local or private address, or does not resolve: Roster does not send webhooks there (set ROSTER_ALLOW_PRIVATE_WEBHOOKS=1 in development)`,
        { cause: error },
      );
    }
  }

  async send(message: WebhookMessage): Promise<WebhookAnswer> {
    try {
      const response = await this.fetch(message.url, {
        method: 'POST',
        headers: webhookHeaders(message.secret, message.id, message.body),
        body: message.body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      return { status: response.status, error: undefined };
    } catch (error) {
      return { status: undefined, error: describe(error) };
    }
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer within the timeout';
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`.slice(0, 500);
}
