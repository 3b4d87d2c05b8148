import { beforeAll, describe, expect, it } from 'vitest';
import { newUser, patchOps, type ScimClient, scimClient } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';

/** Every Groups endpoint, driven with workspace A's token against workspace B's ids: 404, never 403, nothing changed. */
describe('tenant isolation on /Groups', () => {
  const server = serverForSuite();
  let a: ScimClient;
  let b: ScimClient;
  let bGroup: { id: string; displayName: string };
  let bUser: { id: string };
  let aUser: { id: string };

  beforeAll(async () => {
    a = scimClient(server, await server.workspace('alpha'));
    b = scimClient(server, await server.workspace('beta'));
    bUser = (await b.post('/Users', newUser('b-user@example.com'))).body;
    aUser = (await a.post('/Users', newUser('a-user@example.com'))).body;
    bGroup = (await b.get(`/Groups?filter=${encodeURIComponent('displayName eq "Admin"')}`)).body.Resources[0];
  });

  it("A cannot read, patch or replace B's group (404) and B's group is unchanged", async () => {
    const before = (await b.get(`/Groups/${bGroup.id}`)).body;
    expect((await a.get(`/Groups/${bGroup.id}`)).status).toBe(404);
    const patched = await a.patch(`/Groups/${bGroup.id}`, patchOps({ op: 'add', path: 'members', value: [{ value: aUser.id }] }));
    expect(patched.status).toBe(404);
    expect(patched.body.status).toBe('404');
    expect((await a.put(`/Groups/${bGroup.id}`, { displayName: 'Admin', members: [{ value: aUser.id }] })).status).toBe(404);
    expect((await b.get(`/Groups/${bGroup.id}`)).body).toEqual(before);
  });

  it("A cannot put B's user into A's group: the foreign id is skipped as unknown", async () => {
    const aAdmin = (await a.get(`/Groups?filter=${encodeURIComponent('displayName eq "Admin"')}`)).body.Resources[0];
    const response = await a.patch(`/Groups/${aAdmin.id}`, patchOps({ op: 'add', path: 'members', value: [{ value: bUser.id }] }));
    expect(response.status).toBe(204);
    const group = (await a.get(`/Groups/${aAdmin.id}`)).body;
    expect((group.members ?? []).map((m: { value: string }) => m.value)).not.toContain(bUser.id);
    const user = (await b.get(`/Users/${bUser.id}`)).body;
    expect(user.groups[0].display).toBe('Member');
  });

  it("lists never show the other workspace's groups or members, and ids are distinct", async () => {
    const listA = (await a.get('/Groups')).body.Resources as Array<{ id: string; members?: Array<{ value: string }> }>;
    const listB = (await b.get('/Groups')).body.Resources as Array<{ id: string }>;
    const idsB = new Set(listB.map((g) => g.id));
    for (const group of listA) {
      expect(idsB.has(group.id)).toBe(false);
      for (const member of group.members ?? []) expect(member.value).not.toBe(bUser.id);
    }
    const filtered = await a.get(`/Groups?filter=${encodeURIComponent(`id eq "${bGroup.id}"`)}`);
    expect(filtered.body.totalResults).toBe(0);
    const byMember = await a.get(`/Groups?filter=${encodeURIComponent(`members.value eq "${bUser.id}"`)}`);
    expect(byMember.body.totalResults).toBe(0);
  });
});
