import type pg from 'pg';

/** Distinct SQL texts given a name; later texts (long `in (…)` lists, say) run unnamed. */
const MAX_NAMED_TEXTS = 512;
/** Instances so far: names carry their instance, so two never clash on one connection. */
let instances = 0;

/**
 * Makes the pool's clients run every parameterised query as a named prepared statement, so each
 * connection parses (and, once PostgreSQL settles on a generic plan, plans) each query once
 * instead of on every request. Kysely's driver calls `client.query(text, values)`, which `pg`
 * sends unnamed; `pg` prepares a statement per connection only when given a name, so names are
 * assigned here, one per distinct text, shared by all connections.
 *
 * Not done in Kysely or pg themselves: neither has an option for it (pg's `name` is per call).
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly prefix = `roster${++instances}_`;
  /** Clients already patched: the pool hands the same client out again and again. */
  private readonly patched = new WeakSet<pg.PoolClient>();

  nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < MAX_NAMED_TEXTS) {
      name = `${this.prefix}${this.names.size + 1}`;
      this.names.set(text, name);
    }
    return name;
  }

  get size(): number {
    return this.names.size;
  }

  /** The pool Kysely should use: `connect()` hands out clients whose `query` names statements. */
  wrap(pool: pg.Pool): pg.Pool {
    const connect = pool.connect.bind(pool);
    const wrapped = Object.create(pool) as pg.Pool;
    wrapped.connect = (async () => this.patch(await connect())) as pg.Pool['connect'];
    wrapped.end = pool.end.bind(pool);
    return wrapped;
  }

  private patch(client: pg.PoolClient): pg.PoolClient {
    if (this.patched.has(client)) return client;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (first: unknown, ...rest: unknown[]) => {
      // Only the (text, values) form; cursors and config objects pass through untouched.
      if (typeof first === 'string' && Array.isArray(rest[0]) && rest[0].length > 0 && rest.length === 1) {
        const name = this.nameOf(first);
        if (name) return query({ name, text: first, values: rest[0] });
      }
      return query(first, ...rest);
    };
    this.patched.add(client);
    return client;
  }
}
