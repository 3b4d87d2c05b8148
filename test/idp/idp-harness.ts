/**
 * The setup every IdP replay suite shares: one server per suite with one workspace and its
 * token, a sender with the IdP's headers, read-back helpers bound to that server and token,
 * the Admin and Member roles, and the "match query, then POST" provisioning step.
 *
 * `idpSuite()` is called in the body of a `describe`; it registers the `beforeAll` that starts the
 * server and the `afterAll` that closes it there. The functions it returns are stable and can be
 * destructured at once; they reach the server only when a test or hook calls them.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { startServer, type TestServer } from '../support/scim-server.js';
import { ENTERPRISE, guid, type IdpProfile, idp, type Json, patchOp, type Send, USER_SCHEMA } from './replay.js';
import {
  expectEmptyList,
  expectStatus,
  expectUserGone,
  findUsers,
  groupByName,
  groupNamesOf,
  idsByUserName,
  memberIds,
  readGroup,
  readUser,
} from './replay-assertions.js';

export interface IdpSuite {
  /** The running server (inside tests and hooks only). */
  readonly server: TestServer;
  /** The SCIM token of the suite's workspace (inside tests and hooks only). */
  readonly token: string;
  /** Sends a request as the IdP sends it, with the workspace token. */
  readonly send: Send;
  /** PATCH /Users/{id} with the operations, expecting 200; returns the patched user. */
  readonly patchUser: (id: string, ...operations: Json[]) => Promise<Json>;
  readonly readUser: (id: string) => Promise<Json>;
  readonly expectUserGone: (id: string) => Promise<void>;
  readonly findUsers: (filter: string) => Promise<Json[]>;
  readonly idsByUserName: (userName: string) => Promise<string[]>;
  readonly readGroup: (id: string) => Promise<Json>;
  readonly memberIds: (groupId: string) => Promise<string[]>;
  readonly groupByName: (name: string) => Promise<Json>;
  readonly groupNamesOf: (userId: string) => Promise<string[]>;
  /**
   * The Admin and Member roles (groups), looked up in a `beforeAll` of the calling `describe`: the
   * objects returned are filled in before that describe's tests run.
   */
  roles(): { readonly admin: Json; readonly member: Json };
  /**
   * The IdP's provisioning of one user: the matching query `matchPath(userName)` must find
   * nobody, then POST /Users with the body → 201 with an id. Returns the created user.
   */
  provisioner<A extends unknown[]>(toBody: (...args: A) => Json, matchPath: (userName: string) => string): (...args: A) => Promise<Json>;
}

/** Starts a server with the workspace `slug` for the enclosing `describe` and binds the helpers to it. */
export function idpSuite(slug: string, profile: IdpProfile): IdpSuite {
  let started: { server: TestServer; token: string; send: Send } | undefined;
  const current = () => {
    if (started === undefined) throw new Error(`the ${profile.name} suite's server is not running (used outside a test or hook?)`);
    return started;
  };

  beforeAll(async () => {
    const server = await startServer();
    const token = await server.workspace(slug);
    started = { server, token, send: idp(server, token, profile) };
  });
  afterAll(async () => {
    await started?.server.close();
    started = undefined;
  });

  const send: Send = (method, path, body, headers) => current().send(method, path, body, headers);
  const bound =
    <A extends unknown[], R>(helper: (server: TestServer, token: string, ...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      helper(current().server, current().token, ...args);

  return {
    get server() {
      return current().server;
    },
    get token() {
      return current().token;
    },
    send,
    patchUser: async (id, ...operations) => expectStatus(await send('PATCH', `/Users/${id}`, patchOp(...operations)), 200),
    readUser: bound(readUser),
    expectUserGone: bound(expectUserGone),
    findUsers: bound(findUsers),
    idsByUserName: bound(idsByUserName),
    readGroup: bound(readGroup),
    memberIds: bound(memberIds),
    groupByName: bound(groupByName),
    groupNamesOf: bound(groupNamesOf),
    roles() {
      const roles = { admin: {} as Json, member: {} as Json };
      beforeAll(async () => {
        Object.assign(roles.admin, await groupByName(current().server, current().token, 'Admin'));
        Object.assign(roles.member, await groupByName(current().server, current().token, 'Member'));
      });
      return roles;
    },
    provisioner(toBody, matchPath) {
      return async (...args) => {
        const body = toBody(...args);
        expectEmptyList(await send('GET', matchPath(body.userName)));
        const created = expectStatus(await send('POST', '/Users', body), 201);
        expect(typeof created.id, 'the created user must have an id').toBe('string');
        return created;
      };
    },
  };
}

/**
 * The state an ordered lifecycle `describe` passes from one test to the next, and `id()`: the
 * created user's id, failing the test when the create step did not succeed.
 */
export function lifecycle<T extends object>(): { life: T & { id?: string }; id: () => string } {
  const life = {} as T & { id?: string };
  const id = (): string => {
    expect(life.id, 'the create step must have succeeded').toBeDefined();
    return life.id as string;
  };
  return { life, id };
}

// ---------------------------------------------------------------------------------------------
// User bodies the suites of one IdP share (idp-behaviour.md): `extra` overrides any attribute.
// ---------------------------------------------------------------------------------------------

/** Entra's create body (E-U1): both schemas, `meta` and an empty `roles`, userName and work email given. */
export function entraUser(userName: string, email: string, name: { givenName: string; familyName: string }, extra: Json = {}): Json {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId: guid(),
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: email }],
    meta: { resourceType: 'User' },
    name: { formatted: `${name.givenName} ${name.familyName}`, familyName: name.familyName, givenName: name.givenName },
    roles: [],
    ...extra,
  };
}

/** Okta's existence check before a create (O-U1): a userName filter with explicit paging. */
export const oktaUserNameFilter = (userName: string): string =>
  `/Users?filter=userName%20eq%20%22${encodeURIComponent(userName)}%22&startIndex=1&count=100`;

/** Okta's create body (O-U2): the login is userName and work email; a password, `groups: []` and a locale. */
export function oktaUser(login: string, person: { givenName: string; familyName: string; password: string }, extra: Json = {}): Json {
  return {
    schemas: [USER_SCHEMA],
    userName: login,
    name: { givenName: person.givenName, familyName: person.familyName },
    emails: [{ primary: true, value: login, type: 'work' }],
    displayName: `${person.givenName} ${person.familyName}`,
    locale: 'en-US',
    externalId: `00u${guid().replace(/-/g, '').slice(0, 17)}`,
    groups: [],
    password: person.password,
    active: true,
    ...extra,
  };
}
