import { beforeEach, describe, expect, it } from 'vitest';
import { DirectoryError, SignInRefused } from '../../src/directory/errors.js';
import type { Workspace } from '../../src/directory/model.js';
import { createRole, deleteRole, roleOverview, setRoleLevel } from '../../src/directory/roles/roles.js';
import { createTeam, deleteTeam, renameTeam, teamOverview } from '../../src/directory/roles/teams.js';
import {
  completeSsoSignIn,
  endSession,
  issueLoginLink,
  passwordSignIn,
  redeemLoginLink,
  saveLoginFlow,
  setUserPassword,
  takeLoginFlow,
  viewerOf,
} from '../../src/directory/sign-in/sign-in.js';
import { addAppUser, setUserActive } from '../../src/directory/users/app-users.js';
import { createWorkspace, updateWorkspace } from '../../src/directory/workspaces/workspaces.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { storePerTest } from '../support/store-per-test.js';

const refusal = async (work: Promise<unknown>): Promise<string> => {
  try {
    await work;
  } catch (error) {
    if (error instanceof SignInRefused) return error.reason;
    if (error instanceof DirectoryError) return error.code;
    throw error;
  }
  return 'accepted';
};

describe('console sign-in', () => {
  let workspace: Workspace;
  const current = storePerTest(async (store) => {
    workspace = await createWorkspace(store, { slug: 'acme', name: 'Acme', plan: 'enterprise', seats: 10 });
    await addAppUser(store, 'acme', { email: 'admin@acme.example', givenName: 'Given', familyName: 'Family', role: 'Admin' });
    await addAppUser(store, 'acme', { email: 'member@acme.example', givenName: 'Given', familyName: 'Family' });
  });
  let store: SqlStore;
  beforeEach(() => {
    store = current();
  });

  it('a one-time link signs in once, as an admin, and the session ends on sign-out', async () => {
    const link = await issueLoginLink(store, 'acme', 'Admin@Acme.example');
    const signedIn = await redeemLoginLink(store, workspace, link.token);
    expect(await refusal(redeemLoginLink(store, workspace, link.token))).toBe('linkInvalid');
    const viewer = await viewerOf(store, signedIn.secret);
    expect(viewer?.user.email).toBe('admin@acme.example');
    expect(viewer?.isAdmin).toBe(true);
    expect(viewer?.session.method).toBe('link');
    await endSession(store, signedIn.secret);
    expect(await viewerOf(store, signedIn.secret)).toBeUndefined();
  });

  it('an expired link, a link of another workspace and an unknown user are refused', async () => {
    const other = await createWorkspace(store, { slug: 'other', plan: 'enterprise' });
    const expired = await issueLoginLink(store, 'acme', 'admin@acme.example', -1000);
    expect(await refusal(redeemLoginLink(store, workspace, expired.token))).toBe('linkInvalid');
    const foreign = await issueLoginLink(store, 'acme', 'admin@acme.example');
    expect(await refusal(redeemLoginLink(store, other, foreign.token))).toBe('linkInvalid');
    expect(await refusal(issueLoginLink(store, 'acme', 'nobody@acme.example'))).toBe('userNotFound');
  });

  it('SSO signs in only a verified email of an active user of the workspace', async () => {
    const member = await completeSsoSignIn(store, workspace, { email: 'MEMBER@acme.example', emailVerified: true });
    expect((await viewerOf(store, member.secret))?.isAdmin).toBe(false);
    expect(await refusal(completeSsoSignIn(store, workspace, { email: 'member@acme.example', emailVerified: false }))).toBe(
      'emailNotVerified',
    );
    expect(await refusal(completeSsoSignIn(store, workspace, { email: 'member@acme.example' }))).toBe('emailNotVerified');
    expect(await refusal(completeSsoSignIn(store, workspace, { emailVerified: true }))).toBe('noEmail');
    expect(await refusal(completeSsoSignIn(store, workspace, { email: 'stranger@acme.example', emailVerified: true }))).toBe(
      'unknownAccount',
    );
    await setUserActive(store, 'acme', 'member@acme.example', false);
    expect(await refusal(completeSsoSignIn(store, workspace, { email: 'member@acme.example', emailVerified: true }))).toBe('deactivated');
    // Deactivation also ends the sessions the user already has.
    expect(await viewerOf(store, member.secret)).toBeUndefined();
  });

  it('a login flow state is accepted once, only in its workspace', async () => {
    const other = await createWorkspace(store, { slug: 'other', plan: 'enterprise' });
    await saveLoginFlow(store, workspace, { state: 's1', nonce: 'n', codeVerifier: 'v' });
    await saveLoginFlow(store, workspace, { state: 's2', nonce: 'n', codeVerifier: 'v' });
    expect((await takeLoginFlow(store, workspace, 's1')).codeVerifier).toBe('v');
    expect(await refusal(takeLoginFlow(store, workspace, 's1'))).toBe('flowInvalid');
    expect(await refusal(takeLoginFlow(store, other, 's2'))).toBe('flowInvalid');
    expect(await refusal(takeLoginFlow(store, workspace, 'unknown'))).toBe('flowInvalid');
  });

  it('passwords work only under the SSO-and-password policy and never for IdP-managed users', async () => {
    await setUserPassword(store, 'acme', 'member@acme.example', 'correct horse battery');
    workspace = await updateWorkspace(store, 'acme', { loginPolicy: 'sso_only' });
    expect(await refusal(passwordSignIn(store, workspace, 'member@acme.example', 'correct horse battery'))).toBe('passwordNotAllowed');
    workspace = await updateWorkspace(store, 'acme', { loginPolicy: 'sso_and_password' });
    const signedIn = await passwordSignIn(store, workspace, 'member@acme.example', 'correct horse battery');
    expect((await viewerOf(store, signedIn.secret))?.session.method).toBe('password');
    expect(await refusal(passwordSignIn(store, workspace, 'member@acme.example', 'wrong horse battery'))).toBe('wrongCredentials');
    expect(await refusal(passwordSignIn(store, workspace, 'nobody@acme.example', 'whatever whatever'))).toBe('wrongCredentials');
    expect(await refusal(setUserPassword(store, 'acme', 'member@acme.example', 'short'))).toBe('invalidArgument');
  });
});

describe('roles and teams from the console', () => {
  let workspace: Workspace;
  const current = storePerTest(async (store) => {
    workspace = await createWorkspace(store, { slug: 'acme', plan: 'enterprise', seats: 10 });
  });
  let store: SqlStore;
  beforeEach(() => {
    store = current();
  });

  it('refuses to delete a role in use, the guest role and the last non-guest role', async () => {
    await addAppUser(store, 'acme', { email: 'a@acme.example', givenName: 'Given', familyName: 'Family', role: 'Admin' });
    const overview = await roleOverview(store, workspace);
    const byName = (name: string) => overview.find((r) => r.role.name === name)?.role.id ?? '';
    expect(overview.find((r) => r.isDefault)?.role.name).toBe('Member');
    expect(await refusal(deleteRole(store, workspace, byName('Admin')))).toBe('roleInUse');
    expect(await refusal(deleteRole(store, workspace, byName('Guest')))).toBe('roleInUse');
    const spare = await createRole(store, 'acme', 'Spare', 5);
    expect((await roleOverview(store, workspace)).find((r) => r.isDefault)?.role.name).toBe('Spare');
    await deleteRole(store, workspace, spare.id);
    await deleteRole(store, workspace, byName('Member'));
    await setRoleLevel(store, workspace, byName('Admin'), 100);
    expect((await roleOverview(store, workspace)).map((r) => r.role.name)).toEqual(['Admin', 'Guest']);
  });

  it('refuses to delete a team with members and renames keep the id', async () => {
    const team = await createTeam(store, 'acme', 'Ops');
    const user = await addAppUser(store, 'acme', { email: 'a@acme.example', givenName: 'A', familyName: 'B' });
    await store.transaction((repos) => repos.users.update({ ...user, teamIds: [team.id], version: user.version + 1 }, user.version));
    expect(await refusal(deleteTeam(store, workspace, team.id))).toBe('teamInUse');
    const renamed = await renameTeam(store, workspace, team.id, 'Operations');
    expect(renamed.id).toBe(team.id);
    expect((await teamOverview(store, workspace)).map((t) => [t.team.name, t.members])).toEqual([['Operations', 1]]);
    const empty = await createTeam(store, 'acme', 'Empty');
    await deleteTeam(store, workspace, empty.id);
    expect(await refusal(renameTeam(store, workspace, team.id, ''))).toBe('invalidArgument');
  });
});
