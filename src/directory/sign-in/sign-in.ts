import { createHash, randomBytes } from 'node:crypto';
import { DirectoryError, SignInRefused } from '../errors.js';
import { nowIso } from '../ids.js';
import type { ConsoleSession, LoginFlow, Role, SignInMethod, User, Workspace } from '../model.js';
import type { DirectoryStore, Repositories } from '../ports.js';
import { requireWorkspace } from '../workspaces/workspaces.js';
import { burnPasswordCheck, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';

/** Roles at or above this permission level may use the admin console (the built-in Admin role is 100). */
export const ADMIN_LEVEL = 100;
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const LOGIN_LINK_TTL_MS = 15 * 60 * 1000;
export const LOGIN_FLOW_TTL_MS = 10 * 60 * 1000;

export interface SignedIn {
  /** The cookie value: a 256-bit secret of which only the hash is stored. */
  readonly secret: string;
  readonly session: ConsoleSession;
}

/** Who is behind a session cookie. */
export interface Viewer {
  readonly session: ConsoleSession;
  readonly workspace: Workspace;
  readonly user: User;
  readonly role: Role | undefined;
  readonly isAdmin: boolean;
}

const secretHash = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');
const newSecret = (): string => randomBytes(32).toString('base64url');
const later = (ms: number): string => new Date(Date.now() + ms).toISOString();

/** A one-time sign-in link for admin recovery (`roster admin login-link`); valid for `ttlMs`. */
export async function issueLoginLink(
  store: DirectoryStore,
  slug: string,
  email: string,
  ttlMs = LOGIN_LINK_TTL_MS,
): Promise<{ token: string; expiresAt: string; user: User; workspace: Workspace }> {
  const workspace = await requireWorkspace(store, slug);
  const user = await findByEmail(store.read, workspace, email);
  if (!user) throw new DirectoryError('userNotFound', `no user '${email}' in workspace '${slug}'`);
  if (!user.active)
    throw new DirectoryError(
      'invalidArgument',
      `'${email}' is deactivated; activate them first with: roster user activate ${slug} ${email}`,
    );
  const token = newSecret();
  const expiresAt = later(ttlMs);
  await store.transaction((repos) =>
    repos.signIn.insertLink({
      tokenHash: secretHash(token),
      workspaceId: workspace.id,
      userId: user.id,
      createdAt: nowIso(),
      expiresAt,
      usedAt: null,
    }),
  );
  return { token, expiresAt, user, workspace };
}

export async function redeemLoginLink(store: DirectoryStore, workspace: Workspace, token: string): Promise<SignedIn> {
  return store.transaction(async (repos) => {
    const link = await repos.signIn.useLink(secretHash(token), nowIso());
    if (!link || link.workspaceId !== workspace.id) {
      throw new SignInRefused(
        'linkInvalid',
        'This sign-in link is not valid: it was used already, it expired, or it belongs to another workspace.',
      );
    }
    const user = await repos.users.byId(workspace.id, link.userId);
    if (!user) throw new SignInRefused('unknownAccount', 'The account of this sign-in link no longer exists.');
    checkAllowed(user, workspace);
    return startSession(repos, workspace, user, 'link');
  });
}

/** Remembers an authorization request until its callback; the state is accepted once. */
export async function saveLoginFlow(
  store: DirectoryStore,
  workspace: Workspace,
  flow: Omit<LoginFlow, 'workspaceId' | 'createdAt'>,
): Promise<void> {
  await store.transaction((repos) => repos.signIn.insertFlow({ ...flow, workspaceId: workspace.id, createdAt: nowIso() }));
}

export async function takeLoginFlow(store: DirectoryStore, workspace: Workspace, state: string): Promise<LoginFlow> {
  const flow = await store.transaction((repos) => repos.signIn.takeFlow(state));
  const fresh = flow && Date.parse(flow.createdAt) > Date.now() - LOGIN_FLOW_TTL_MS;
  if (!flow || !fresh || flow.workspaceId !== workspace.id) {
    throw new SignInRefused('flowInvalid', 'This sign-in attempt expired or was already used. Please start again.');
  }
  return flow;
}

/** The identity provider vouched for `email`; the account with that email signs in. */
export async function completeSsoSignIn(
  store: DirectoryStore,
  workspace: Workspace,
  claims: { email?: string | undefined; emailVerified?: boolean | undefined },
): Promise<SignedIn> {
  if (!claims.email)
    throw new SignInRefused('noEmail', 'Your identity provider did not send an email address, so Roster cannot find your account.');
  if (claims.emailVerified !== true) {
    throw new SignInRefused(
      'emailNotVerified',
      `Your identity provider has not verified the email address ${claims.email}, so Roster cannot trust it to sign you in.`,
    );
  }
  const email = claims.email;
  return store.transaction(async (repos) => {
    const user = await findByEmail(repos, workspace, email);
    if (!user)
      throw new SignInRefused(
        'unknownAccount',
        `There is no account for ${email} in the workspace ${workspace.name}. Ask your administrator to assign you to Roster in your identity provider.`,
      );
    checkAllowed(user, workspace);
    return startSession(repos, workspace, user, 'sso');
  });
}

/**
 * Password sign-in: only under the "SSO and password" policy, and only for users the identity
 * provider does not manage (external users). Internal users always sign in through SSO.
 */
export async function passwordSignIn(store: DirectoryStore, workspace: Workspace, email: string, password: string): Promise<SignedIn> {
  if (workspace.loginPolicy !== 'sso_and_password') {
    throw new SignInRefused('passwordNotAllowed', 'This workspace only allows sign-in through single sign-on.');
  }
  const user = await findByEmail(store.read, workspace, email);
  const stored = user && (await store.read.signIn.passwordHash(workspace.id, user.id));
  if (!user || !stored) {
    await burnPasswordCheck(password);
    throw new SignInRefused('wrongCredentials', 'The email address or the password is wrong.');
  }
  if (!(await verifyPassword(password, stored))) throw new SignInRefused('wrongCredentials', 'The email address or the password is wrong.');
  if (user.scimManaged) {
    throw new SignInRefused('passwordNotAllowed', 'Your account is managed by your identity provider: please sign in with single sign-on.');
  }
  return store.transaction(async (repos) => {
    const current = await repos.users.byId(workspace.id, user.id);
    if (!current) throw new SignInRefused('unknownAccount', 'Your account no longer exists.');
    checkAllowed(current, workspace);
    return startSession(repos, workspace, current, 'password');
  });
}

export async function setUserPassword(store: DirectoryStore, slug: string, email: string, password: string): Promise<User> {
  const workspace = await requireWorkspace(store, slug);
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new DirectoryError('invalidArgument', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  const user = await findByEmail(store.read, workspace, email);
  if (!user) throw new DirectoryError('userNotFound', `no user '${email}' in workspace '${slug}'`);
  if (user.scimManaged)
    throw new DirectoryError('invalidArgument', `'${email}' is managed by the identity provider and signs in through SSO only`);
  const hash = await hashPassword(password);
  await store.transaction((repos) => repos.signIn.setPassword(workspace.id, user.id, hash, nowIso()));
  return user;
}

/** The viewer behind a session cookie, or undefined when it is unknown, expired, or its user may no longer sign in. */
export async function viewerOf(store: DirectoryStore, secret: string): Promise<Viewer | undefined> {
  if (!secret) return undefined;
  const session = await store.read.signIn.session(secretHash(secret));
  if (!session || session.expiresAt <= nowIso()) return undefined;
  const [workspace, user] = await Promise.all([
    store.read.workspaces.byId(session.workspaceId),
    store.read.users.byId(session.workspaceId, session.userId),
  ]);
  // Deactivation by the IdP ends console access at once, not when the session expires.
  if (!workspace || !user?.active || user.scimDeleted) return undefined;
  const role = await store.read.roles.byId(workspace.id, user.roleId);
  return { session, workspace, user, role, isAdmin: (role?.level ?? 0) >= ADMIN_LEVEL };
}

export async function endSession(store: DirectoryStore, secret: string): Promise<void> {
  await store.transaction((repos) => repos.signIn.deleteSession(secretHash(secret)));
}

/** Housekeeping: forgets expired sessions, links and abandoned login flows. */
export async function pruneSignIns(store: DirectoryStore): Promise<void> {
  const now = nowIso();
  await store.transaction((repos) => repos.signIn.deleteExpired(now, new Date(Date.now() - LOGIN_FLOW_TTL_MS).toISOString()));
}

async function startSession(repos: Repositories, workspace: Workspace, user: User, method: SignInMethod): Promise<SignedIn> {
  const secret = newSecret();
  const session: ConsoleSession = {
    idHash: secretHash(secret),
    workspaceId: workspace.id,
    userId: user.id,
    csrfToken: newSecret(),
    method,
    createdAt: nowIso(),
    expiresAt: later(SESSION_TTL_MS),
  };
  await repos.signIn.insertSession(session);
  return { secret, session };
}

function checkAllowed(user: User, workspace: Workspace): void {
  if (user.scimDeleted)
    throw new SignInRefused('removed', `Your account was removed from the workspace ${workspace.name} by your identity provider.`);
  if (!user.active)
    throw new SignInRefused(
      'deactivated',
      `Your account in the workspace ${workspace.name} is deactivated. Ask your administrator if you need access again.`,
    );
}

/** SSO vouches for an email, so the account email is tried before the userName (unlike findUser). */
async function findByEmail(repos: Repositories, workspace: Workspace, email: string): Promise<User | undefined> {
  const trimmed = email.trim();
  if (!trimmed) return undefined;
  return (await repos.users.byEmail(workspace.id, trimmed)) ?? (await repos.users.byUserName(workspace.id, trimmed));
}
