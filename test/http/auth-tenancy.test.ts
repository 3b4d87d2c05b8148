import { beforeAll, describe, expect, it } from 'vitest';
import { disableScim } from '../../src/directory/integrations/scim-integration.js';
import { newUser, patchOps, type ScimClient, scimClient } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';
import { create, expectScimError, expectUnchanged, ids, type Json, q, SEARCH_SCHEMA } from './helpers.js';

/** One base URL for all workspaces: the bearer token chooses the workspace, and nothing crosses over. */
describe('tenant isolation', () => {
  const server = serverForSuite();
  let a: ScimClient;
  let b: ScimClient;
  let userA: Json;
  let userB: Json;

  beforeAll(async () => {
    a = scimClient(server, await server.workspace('tenant-a'));
    b = scimClient(server, await server.workspace('tenant-b'));
    userA = await create(a, newUser('alice@a.example', { title: 'A title', externalId: 'shared-ext' }));
    userB = await create(b, newUser('bob@b.example', { title: 'B title', externalId: 'shared-ext' }));
  });

  it("workspace A cannot read B's user (404)", async () => {
    expectScimError(await a.get(`/Users/${userB.id}`), 404, null);
    expectScimError(await a.get(`/Users/${userB.id}?attributes=userName`), 404, null);
  });

  it("workspace A cannot patch, replace or delete B's user (404), and B's user is unchanged", async () => {
    expectScimError(await a.patch(`/Users/${userB.id}`, patchOps({ op: 'replace', path: 'title', value: 'hacked' })), 404, null);
    expectScimError(await a.put(`/Users/${userB.id}`, newUser('bob@b.example', { title: 'hacked' })), 404, null);
    expectScimError(await a.delete(`/Users/${userB.id}`), 404, null);
    await expectUnchanged(b, userB.id, userB);
  });

  it("lists and searches never show the other workspace's users", async () => {
    const listA = await a.get('/Users');
    expect(ids(listA)).toContain(userA.id);
    expect(ids(listA)).not.toContain(userB.id);
    expect(JSON.stringify(listA.body)).not.toContain('bob@b.example');
    expect((await a.get(q('userName eq "bob@b.example"'))).body.totalResults).toBe(0);
    expect((await a.get(q(`id eq "${userB.id}"`))).body.totalResults).toBe(0);
    expect((await a.get(q('title eq "B title"'))).body.totalResults).toBe(0);
    const shared = await a.get(q('externalId eq "shared-ext"'));
    expect(ids(shared)).toEqual([userA.id]);
    const searched = await a.post('/Users/.search', { schemas: [SEARCH_SCHEMA], filter: 'userName pr' });
    expect(ids(searched)).not.toContain(userB.id);
    expect(searched.body.totalResults).toBe(listA.body.totalResults);
    const listB = await b.get('/Users');
    expect(ids(listB)).toEqual([userB.id]);
  });

  it('the same userName can exist in both workspaces as different users', async () => {
    const inA = await create(a, newUser('same@example.com', { title: 'in A' }));
    const inB = await create(b, newUser('same@example.com', { title: 'in B' }));
    expect(inA.id).not.toBe(inB.id);
    expect((await a.get(q('userName eq "same@example.com"'))).body.Resources).toEqual([inA]);
    expect((await b.get(q('userName eq "same@example.com"'))).body.Resources).toEqual([inB]);
  });

  it("deleting in A does not touch B's user of the same name, and revival stays in A", async () => {
    const inA = await create(a, newUser('twin@example.com'));
    const inB = await create(b, newUser('twin@example.com'));
    expect((await a.delete(`/Users/${inA.id}`)).status).toBe(204);
    await expectUnchanged(b, inB.id, inB);
    const revived = await a.post('/Users', newUser('twin@example.com'));
    expect(revived.status).toBe(201);
    expect(revived.body.id).toBe(inA.id);
    await expectUnchanged(b, inB.id, inB);
  });

  it("a manager from the other workspace is not linked with the other workspace's user name", async () => {
    const response = await a.post(
      '/Users',
      newUser('managed@a.example', { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: userB.id } }),
    );
    expect([201, 400]).toContain(response.status);
    if (response.status === 201) {
      const manager = response.body['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']?.manager;
      expect(manager?.displayName).toBeUndefined();
      expect(JSON.stringify(response.body)).not.toContain('bob@b.example');
    }
  });

  it('a disabled workspace token is refused while the other workspace keeps working', async () => {
    const cToken = await server.workspace('tenant-c');
    const c = scimClient(server, cToken);
    expect((await c.get('/Users')).status).toBe(200);
    await disableScim(server.store, 'tenant-c');
    expectScimError(await c.get('/Users'), 401, null);
    expect((await a.get('/Users')).status).toBe(200);
  });
});
