/** Where events are sent (docs/api.md, "Webhooks"): for one workspace, or for every workspace. */
export interface WebhookEndpoint {
  readonly id: string;
  /** Null: an instance endpoint, sent every workspace's events. */
  readonly workspaceId: string | null;
  readonly url: string;
  /** The signing secret, `whsec_…` (stored sealed). */
  readonly secret: string;
  /** Types and globs (`user.*`) to send; null: every type. */
  readonly eventTypes: readonly string[] | null;
  readonly createdAt: string;
  /**
   * Every event numbered up to this position has been considered for the endpoint (a delivery
   * added when it matches). It starts at the head when the endpoint is added: earlier events are
   * not sent.
   */
  readonly fannedThrough: number;
  readonly disabledAt: string | null;
  readonly disabledReason: string | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event to one endpoint: the head of its (endpoint, workspace) stream until it is delivered or given up. */
export interface WebhookDelivery {
  readonly endpointId: string;
  readonly eventId: string;
  readonly workspaceId: string;
  readonly sequence: number;
  readonly type: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly responseStatus: number | null;
  readonly lastError: string | null;
  readonly firstAttemptAt: string | null;
  readonly lastAttemptAt: string | null;
  readonly nextAttemptAt: string | null;
  readonly claimedUntil: string | null;
}

export interface WebhookRepository {
  insertEndpoint(endpoint: WebhookEndpoint): Promise<void>;
  endpoint(id: string): Promise<WebhookEndpoint | undefined>;
  /** Every endpoint (enabled or not), oldest first; a workspace's only when `workspaceId` is given. */
  endpoints(workspaceId?: string): Promise<WebhookEndpoint[]>;
  deleteEndpoint(id: string): Promise<boolean>;
  setDisabled(id: string, at: string | null, reason: string | null): Promise<void>;
  /**
   * Adds a pending delivery, due at `at`, for every event numbered after the endpoint's
   * `fannedThrough` and up to `through` that it takes (its workspace, or all; `types`, or all),
   * and moves `fannedThrough` to `through`. Returns how many were added.
   */
  fanOut(endpoint: WebhookEndpoint, types: readonly string[] | undefined, through: number, at: string): Promise<number>;
  /**
   * Claims up to `limit` due pending deliveries of enabled endpoints until `claimUntil`, so no
   * other instance sends them meanwhile. Only the head of each (endpoint, workspace) stream is
   * due: a delivery waits while an earlier one of its stream is pending (in order); a delivery
   * given up (failed) holds nothing back, but its endpoint is disabled then, unless the event was
   * gone (pruned by retention), which no retry could send.
   */
  claimDue(now: string, claimUntil: string, limit: number): Promise<WebhookDelivery[]>;
  /**
   * Claims until `claimUntil` up to `limit` pending deliveries that follow `head` (claimed) in its
   * stream, in sequence order, stopping before the first that is not due or claimed by another
   * instance: the run the dispatcher sends after the head, each only once the one before it is
   * delivered.
   */
  claimRun(head: WebhookDelivery, now: string, claimUntil: string, limit: number): Promise<WebhookDelivery[]>;
  /** Gives back claims not used (the run stopped at a failure): the deliveries are due again at once. */
  releaseClaims(deliveries: readonly WebhookDelivery[]): Promise<void>;
  /** Records an attempt's outcome (only while the claim `claimedUntil` is still the delivery's). */
  finishAttempt(delivery: WebhookDelivery, outcome: AttemptOutcome): Promise<void>;
  /** The failed head deliveries of an endpoint become pending again, due at `at` (re-enabling). */
  retryFailed(endpointId: string, at: string): Promise<number>;
  /** An endpoint's deliveries, newest first. */
  deliveries(endpointId: string, limit: number): Promise<WebhookDelivery[]>;
}

/** What an attempt did, as `finishAttempt` records it. */
export interface AttemptOutcome {
  readonly status: DeliveryStatus;
  readonly at: string;
  readonly responseStatus: number | null;
  readonly error: string | null;
  /** For a pending delivery: when to try again. */
  readonly nextAttemptAt: string | null;
}
