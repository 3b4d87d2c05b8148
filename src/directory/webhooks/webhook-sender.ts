/** One signed delivery (Standard Webhooks): the sender signs `id.timestamp.body` with the endpoint's secret. */
export interface WebhookMessage {
  readonly url: string;
  readonly secret: string;
  /** The event id: `webhook-id`, the same on every attempt. */
  readonly id: string;
  readonly body: string;
}

/** What the receiver answered; `status` is undefined when no answer came (refused, timed out). */
export interface WebhookAnswer {
  readonly status: number | undefined;
  readonly error: string | undefined;
}

/**
 * The port to the outside for webhooks; `src/webhooks/` implements it over HTTP with the
 * Standard Webhooks headers, refusing loopback, link-local and private addresses unless allowed.
 */
export interface WebhookSender {
  /** Refuses (with a DirectoryError `invalidArgument`) a URL Roster may not send to. */
  checkUrl(url: string): Promise<void>;
  send(message: WebhookMessage): Promise<WebhookAnswer>;
  /** A new signing secret, `whsec_…`. */
  newSecret(): string;
}
