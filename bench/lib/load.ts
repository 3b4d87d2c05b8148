import autocannon from 'autocannon';

/** One request of a workload; `setup` may rewrite it per request with per-connection state. */
export interface LoadRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly body?: string;
  /** Fills in path and body for the next request; `context` lives for one cycle of a connection's request list. */
  readonly setup?: (context: Record<string, unknown>) => { path?: string; body?: string };
  /** Called with each response's status and body (for checks); bodies are only read when this is set. */
  readonly onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}

export interface LoadSettings {
  readonly url: string;
  readonly token: string;
  readonly connections: number;
  /** Seconds; for an `untilStopped` run, a backstop a little past which autocannon ends by itself. */
  readonly duration: number;
}

export interface Measurement {
  readonly requests: number;
  readonly seconds: number;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly bytesPerResponse: number;
  readonly statusCodes: Record<string, number>;
}

export interface LoadRun {
  /** Ends the run early (at autocannon's next one-second tick). */
  stop(): void;
  readonly done: Promise<Measurement>;
}

/** Loads `url` with `requests` (cycled per connection) through autocannon, like every other workload. */
export function load(settings: LoadSettings, requests: readonly LoadRequest[], untilStopped = false): LoadRun {
  const instance = autocannon(
    {
      url: settings.url,
      connections: settings.connections,
      pipelining: 1,
      // An untilStopped run (the initial sync) ends by stop(), with a generous duration as a backstop.
      duration: untilStopped ? settings.duration + 5 : settings.duration,
      timeout: 30,
      headers: {
        authorization: `Bearer ${settings.token}`,
        'content-type': 'application/scim+json',
        accept: 'application/scim+json',
      },
      requests: requests.map((request) => ({
        method: request.method,
        path: request.path,
        ...(request.body !== undefined ? { body: request.body } : {}),
        ...(request.setup
          ? {
              setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
                const changes = (request.setup as NonNullable<LoadRequest['setup']>)(context);
                return { ...req, ...changes };
              },
            }
          : {}),
        ...(request.onResponse
          ? {
              onResponse: (status: number, body: string, context: Record<string, unknown>) =>
                (request.onResponse as NonNullable<LoadRequest['onResponse']>)(status, body, context),
            }
          : {}),
      })) as never,
    },
    undefined as never,
  );
  const done = (instance as unknown as Promise<autocannon.Result>).then(toMeasurement);
  return { stop: () => (instance as unknown as { stop(): void }).stop(), done };
}

function toMeasurement(result: autocannon.Result): Measurement {
  const requests = result.requests.total;
  const statusCodes: Record<string, number> = {};
  const stats = (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
  for (const [code, { count }] of Object.entries(stats)) statusCodes[code] = count;
  return {
    requests,
    seconds: result.duration,
    reqPerSec: result.duration > 0 ? requests / result.duration : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.average,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerResponse: requests > 0 ? Math.round(result.throughput.total / requests) : 0,
    statusCodes,
  };
}
