import { describe, expect, it } from 'vitest';
import { addAppUser, setUserActive } from '../../src/directory/app-users.js';
import type { Workspace } from '../../src/directory/model.js';
import { searchDirectory } from '../../src/directory/user-directory.js';
import { createWorkspace } from '../../src/directory/workspaces.js';
import { storePerTest } from '../support/store-per-test.js';

describe("the console's user search", () => {
  let workspace: Workspace;
  const current = storePerTest(async (store) => {
    workspace = await createWorkspace(store, { slug: 'acme', plan: 'enterprise', seats: 10 });
    await addAppUser(store, 'acme', { email: 'ada.lovelace@acme.example', givenName: 'Ada', familyName: 'Lovelace' });
    await addAppUser(store, 'acme', { email: 'alan.turing@acme.example', givenName: 'Alan', familyName: 'Turing' });
    await addAppUser(store, 'acme', { email: 'grace@acme.example', givenName: 'Grace', familyName: 'Hopper "Amazing"' });
  });
  const names = (result: Awaited<ReturnType<typeof searchDirectory>>) => result.users.map((u) => u.userName).sort();
  const search = (text: string, status: 'all' | 'active' | 'inactive' = 'all', page = 1, pageSize = 50) =>
    searchDirectory(current(), workspace, { text, status, page, pageSize });

  it('matches a prefix of the user name, given or family name, ignoring case', async () => {
    expect(names(await search('ADA.'))).toEqual(['ada.lovelace@acme.example']);
    expect(names(await search('a'))).toEqual(['ada.lovelace@acme.example', 'alan.turing@acme.example']);
    expect(names(await search('turi'))).toEqual(['alan.turing@acme.example']);
    expect(names(await search('lovelace'))).toEqual(['ada.lovelace@acme.example']);
    expect((await search('nobody')).total).toBe(0);
  });

  it('searches text with @ in user names only, and treats quotes and wildcards as text', async () => {
    expect(names(await search('grace@'))).toEqual(['grace@acme.example']);
    expect(names(await search('hopper "a'))).toEqual(['grace@acme.example']);
    expect((await search('%')).total).toBe(0);
    expect((await search('_')).total).toBe(0);
  });

  it('filters by status and pages with a total', async () => {
    await setUserActive(current(), 'acme', 'alan.turing@acme.example', false);
    expect(names(await search('', 'inactive'))).toEqual(['alan.turing@acme.example']);
    expect((await search('', 'active')).total).toBe(2);
    const first = await search('', 'all', 1, 2);
    const second = await search('', 'all', 2, 2);
    expect(first.total).toBe(3);
    expect(first.users).toHaveLength(2);
    expect(second.users).toHaveLength(1);
    expect(new Set([...first.users, ...second.users].map((u) => u.id)).size).toBe(3);
  });
});
