import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/directory/model.js';
import { addAppUser, setUserActive } from '../../src/directory/users/app-users.js';
import { SEAT_LIMIT_CODE, searchDirectory, seatSummary } from '../../src/directory/users/user-directory.js';
import { createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { scimCodeOf } from '../../src/http/error-mapping.js';
import { logEntry } from '../storage/fixtures.js';
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

describe('the seat summary', () => {
  let workspace: Workspace;
  const current = storePerTest(async (store) => {
    workspace = await createWorkspace(store, { slug: 'seated', plan: 'enterprise', seats: 10 });
  });

  it('counts refusals for lack of seats by error code, whatever their wording (issue 14, part 5)', async () => {
    const now = Date.now();
    await current().transaction((repos) =>
      repos.provisioningLog.insert([
        logEntry(workspace.id, now - 3000, { status: 409, errorCode: 'seatLimit', detail: 'any wording at all' }),
        logEntry(workspace.id, now - 2000, { status: 409, errorCode: 'seatLimit', detail: 'kein freier Platz' }),
        // Worded like a seat refusal, but a uniqueness conflict: not counted.
        logEntry(workspace.id, now - 1000, { status: 409, errorCode: 'uniqueness', detail: 'no free seat: wording only' }),
        logEntry(workspace.id, now, { status: 201 }),
      ]),
    );
    expect(await seatSummary(current(), workspace)).toEqual({ seats: 10, used: 0, free: 10, recentRefusals: 2 });
  });

  it('the SCIM edge logs a seat refusal under the code the summary counts', () => {
    expect(scimCodeOf(SEAT_LIMIT_CODE)).toBe(SEAT_LIMIT_CODE);
  });
});
