import { describe, expect, it } from 'vitest';
import { newUser, patchOps } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';

describe('Users endpoint smoke', () => {
  const { server, scim } = workspaceForSuite('acme');

  it('creates, reads, patches and deletes a user', async () => {
    const created = await scim.post('/Users', newUser('ada@example.com'));
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(created.headers.get('location')).toBe(`${server.scimUrl}/Users/${created.body.id}`);
    const id = created.body.id;
    const found = await scim.get(`/Users?filter=${encodeURIComponent('userName eq "ADA@example.com"')}`);
    expect(found.body.totalResults).toBe(1);
    const patched = await scim.patch(`/Users/${id}`, patchOps({ op: 'Replace', path: 'active', value: 'False' }));
    expect(patched.status).toBe(200);
    expect(patched.body.active).toBe(false);
    expect((await scim.delete(`/Users/${id}`)).status).toBe(204);
    expect((await scim.get(`/Users/${id}`)).status).toBe(404);
  });
});
