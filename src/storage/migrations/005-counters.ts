import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Per-workspace counters kept by triggers, so the seat check and the `totalResults` of an
 * unfiltered user list read one row instead of counting a million:
 *
 * - `seats_used`: active users holding a non-guest role (docs/rules/seats.md);
 * - `scim_users`: users visible over SCIM (`scim_deleted = 0`);
 * - `scim_changes`: bumped whenever a user enters or leaves the SCIM view, so a remembered
 *   page boundary (keyset paging) is known to be still valid.
 *
 * Triggers rather than application code, so that every path that writes users (SCIM, the CLI,
 * the console, role moves, bulk seeding, a role turning guest or being deleted) keeps them
 * exact, in the same transaction as the change. On PostgreSQL the `update … set n = n + d` takes
 * the counter row's lock and re-reads its latest committed value, so concurrent writers never
 * lose an increment; writes that do not change a counter (a name change, a move between two
 * non-guest roles) do not touch the row and so do not queue behind each other.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('workspace_counters')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('seats_used', 'bigint', (c) => c.notNull())
    .addColumn('scim_users', 'bigint', (c) => c.notNull())
    .addColumn('scim_changes', 'bigint', (c) => c.notNull())
    .execute();
  await sql`
    insert into workspace_counters (workspace_id, seats_used, scim_users, scim_changes)
    select w.id,
      (select count(*) from users u join roles r on r.workspace_id = u.workspace_id and r.id = u.role_id
        where u.workspace_id = w.id and u.active = 1 and r.is_guest = 0),
      (select count(*) from users u where u.workspace_id = w.id and u.scim_deleted = 0),
      0
    from workspaces w`.execute(db);
  for (const statement of postgres ? POSTGRES_TRIGGERS : SQLITE_TRIGGERS) await sql.raw(statement).execute(db);
}

/** 1 when the user row takes a seat: active, with a role that exists and is not the guest role. */
const seat = (row: string) =>
  `(case when ${row}.active = 1 and exists (select 1 from roles r where r.workspace_id = ${row}.workspace_id and r.id = ${row}.role_id and r.is_guest = 0) then 1 else 0 end)`;
const visible = (row: string) => `(case when ${row}.scim_deleted = 0 then 1 else 0 end)`;
const changed = 'old.active <> new.active or old.role_id <> new.role_id or old.scim_deleted <> new.scim_deleted';

const SQLITE_TRIGGERS = [
  `create trigger workspace_counters_create after insert on workspaces begin
     insert into workspace_counters (workspace_id, seats_used, scim_users, scim_changes) values (new.id, 0, 0, 0);
   end`,
  `create trigger workspace_counters_drop after delete on workspaces begin
     delete from workspace_counters where workspace_id = old.id;
   end`,
  `create trigger users_counters_insert after insert on users begin
     update workspace_counters set seats_used = seats_used + ${seat('new')}, scim_users = scim_users + ${visible('new')},
       scim_changes = scim_changes + ${visible('new')}
     where workspace_id = new.workspace_id;
   end`,
  `create trigger users_counters_update after update of active, role_id, scim_deleted on users when ${changed} begin
     update workspace_counters set seats_used = seats_used + ${seat('new')} - ${seat('old')},
       scim_users = scim_users + ${visible('new')} - ${visible('old')},
       scim_changes = scim_changes + abs(${visible('new')} - ${visible('old')})
     where workspace_id = new.workspace_id;
   end`,
  `create trigger users_counters_delete after delete on users begin
     update workspace_counters set seats_used = seats_used - ${seat('old')}, scim_users = scim_users - ${visible('old')},
       scim_changes = scim_changes + ${visible('old')}
     where workspace_id = old.workspace_id;
   end`,
  // Before the role row changes, so the active holders can still be counted through it.
  `create trigger roles_counters_update before update of is_guest on roles when old.is_guest <> new.is_guest begin
     update workspace_counters set seats_used = seats_used + (case when new.is_guest = 0 then 1 else -1 end) *
       (select count(*) from users u where u.workspace_id = old.workspace_id and u.role_id = old.id and u.active = 1)
     where workspace_id = old.workspace_id;
   end`,
  `create trigger roles_counters_delete before delete on roles when old.is_guest = 0 begin
     update workspace_counters set seats_used = seats_used -
       (select count(*) from users u where u.workspace_id = old.workspace_id and u.role_id = old.id and u.active = 1)
     where workspace_id = old.workspace_id;
   end`,
];

const POSTGRES_TRIGGERS = [
  `create function workspace_counters_create() returns trigger language plpgsql as $$
   begin
     insert into workspace_counters (workspace_id, seats_used, scim_users, scim_changes) values (new.id, 0, 0, 0);
     return null;
   end $$`,
  `create trigger workspace_counters_create after insert on workspaces for each row execute function workspace_counters_create()`,
  `create function workspace_counters_drop() returns trigger language plpgsql as $$
   begin
     delete from workspace_counters where workspace_id = old.id;
     return null;
   end $$`,
  `create trigger workspace_counters_drop after delete on workspaces for each row execute function workspace_counters_drop()`,
  // Inserts count per statement, so a bulk insert of thousands of rows updates each counter once.
  `create function users_counters_insert() returns trigger language plpgsql as $$
   begin
     update workspace_counters c
       set seats_used = c.seats_used + d.seats, scim_users = c.scim_users + d.visible, scim_changes = c.scim_changes + d.visible
     from (select n.workspace_id, sum(${seat('n')}) as seats, sum(${visible('n')}) as visible
           from inserted_users n group by n.workspace_id) d
     where c.workspace_id = d.workspace_id and (d.seats <> 0 or d.visible <> 0);
     return null;
   end $$`,
  `create trigger users_counters_insert after insert on users referencing new table as inserted_users
     for each statement execute function users_counters_insert()`,
  `create function users_counters_delete() returns trigger language plpgsql as $$
   begin
     update workspace_counters c
       set seats_used = c.seats_used - d.seats, scim_users = c.scim_users - d.visible, scim_changes = c.scim_changes + d.visible
     from (select o.workspace_id, sum(${seat('o')}) as seats, sum(${visible('o')}) as visible
           from deleted_users o group by o.workspace_id) d
     where c.workspace_id = d.workspace_id and (d.seats <> 0 or d.visible <> 0);
     return null;
   end $$`,
  `create trigger users_counters_delete after delete on users referencing old table as deleted_users
     for each statement execute function users_counters_delete()`,
  // Updates count per row, and only rows whose seat or visibility can have changed run it at all.
  `create function users_counters_update() returns trigger language plpgsql as $$
   declare
     seats bigint := ${seat('new')} - ${seat('old')};
     shown bigint := ${visible('new')} - ${visible('old')};
   begin
     if seats <> 0 or shown <> 0 then
       update workspace_counters
         set seats_used = seats_used + seats, scim_users = scim_users + shown, scim_changes = scim_changes + abs(shown)
       where workspace_id = new.workspace_id;
     end if;
     return null;
   end $$`,
  `create trigger users_counters_update after update of active, role_id, scim_deleted on users
     for each row when (${changed}) execute function users_counters_update()`,
  `create function roles_counters_change() returns trigger language plpgsql as $$
   declare
     holders bigint;
   begin
     select count(*) into holders from users u where u.workspace_id = old.workspace_id and u.role_id = old.id and u.active = 1;
     if tg_op = 'DELETE' then
       update workspace_counters set seats_used = seats_used - holders where workspace_id = old.workspace_id;
       return old;
     end if;
     update workspace_counters set seats_used = seats_used + (case when new.is_guest = 0 then holders else -holders end)
     where workspace_id = old.workspace_id;
     return new;
   end $$`,
  `create trigger roles_counters_update before update of is_guest on roles
     for each row when (old.is_guest <> new.is_guest) execute function roles_counters_change()`,
  `create trigger roles_counters_delete before delete on roles
     for each row when (old.is_guest = 0) execute function roles_counters_change()`,
];
