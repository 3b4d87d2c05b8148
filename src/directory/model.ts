import type { UserAttributeValues } from './users/user-attributes.js';

/** The directory's records. Times are ISO-8601 UTC strings. */

export type Plan = 'standard' | 'business' | 'enterprise';
export const PLANS: readonly Plan[] = ['standard', 'business', 'enterprise'];
export type LoginPolicy = 'sso_only' | 'sso_and_password';
export const LOGIN_POLICIES: readonly LoginPolicy[] = ['sso_only', 'sso_and_password'];
export type Provider = 'azure' | 'okta' | 'onelogin' | 'generic';
export const PROVIDERS: readonly Provider[] = ['azure', 'okta', 'onelogin', 'generic'];

export interface Workspace {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly plan: Plan;
  /** User licenses: every active non-guest user takes one. */
  readonly seats: number;
  readonly defaultLanguage: string;
  readonly loginPolicy: LoginPolicy;
  readonly createdAt: string;
}

export interface SsoConfig {
  readonly workspaceId: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly updatedAt: string;
}

export interface ScimIntegration {
  readonly workspaceId: string;
  readonly id: string;
  readonly provider: Provider;
  /** The client application that authenticates the IdP ("API access"). */
  readonly clientName: string;
  readonly createdAt: string;
  readonly disabledAt: string | null;
}

export interface ScimToken {
  readonly workspaceId: string;
  readonly id: string;
  readonly integrationId: string;
  readonly tokenHash: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface Role {
  readonly workspaceId: string;
  readonly id: string;
  readonly name: string;
  /** Permission level: higher means more rights. */
  readonly level: number;
  readonly isGuest: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export interface Team {
  readonly workspaceId: string;
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

/** An email, phone number or address of a user (the app's "contact infos"). */
export interface Contact {
  readonly value?: string;
  readonly display?: string;
  readonly type?: string;
  readonly primary?: boolean;
  readonly formatted?: string;
  readonly streetAddress?: string;
  readonly locality?: string;
  readonly region?: string;
  readonly postalCode?: string;
  readonly country?: string;
}

export interface Contacts {
  readonly emails: readonly Contact[];
  readonly phoneNumbers: readonly Contact[];
  readonly addresses: readonly Contact[];
}

/**
 * Profile fields an IdP may set: the attributes of the table in user-attributes.ts (undefined
 * means "not set") and the contacts.
 */
export interface UserProfile extends UserAttributeValues {
  readonly contacts: Contacts;
}

export interface User extends UserProfile {
  readonly workspaceId: string;
  readonly id: string;
  /** The account email: userName when it is an address, else the first work email. */
  readonly email: string;
  readonly active: boolean;
  /** Removed from the SCIM view by DELETE; the person and their data stay in the app. */
  readonly scimDeleted: boolean;
  readonly roleId: string;
  readonly teamIds: readonly string[];
  readonly scimManaged: boolean;
  readonly lastSyncedAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Incremented on every write; the weak ETag is derived from it. */
  readonly version: number;
}

/** Changes to a workspace's SCIM access that the audit log records. */
export type AuditAction = 'scim.enable' | 'scim.disable' | 'token.create' | 'token.revoke';

/** One audited change: who (the CLI's OS user, later a console admin), what, and when. */
export interface AuditEntry {
  readonly workspaceId: string;
  readonly id: string;
  readonly time: string;
  readonly actor: string;
  readonly action: AuditAction;
  readonly detail: string;
}

/** One SCIM request as the provisioning log records it. */
export interface ProvisioningLogEntry {
  readonly workspaceId: string;
  readonly id: string;
  readonly time: string;
  readonly traceId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly resourceId: string | null;
  readonly detail: string | null;
  /** The error catalogue code the request failed with (docs/errors.md), null for a success. */
  readonly errorCode: string | null;
  readonly warnings: readonly string[];
}

/** An e-mail waiting for (or done with) delivery. */
export interface OutboxMessage {
  readonly workspaceId: string;
  readonly id: string;
  readonly kind: 'reactivation';
  readonly recipient: string;
  readonly subject: string;
  readonly body: string;
  readonly createdAt: string;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly sentAt: string | null;
  readonly lastError: string | null;
}

/** How someone signed in to the console. */
export type SignInMethod = 'sso' | 'password' | 'link';

/** A signed-in browser. The cookie holds a random secret; only its hash is stored. */
export interface ConsoleSession {
  readonly idHash: string;
  readonly workspaceId: string;
  readonly userId: string;
  /** Echoed by every form of this session (synchronizer token against CSRF). */
  readonly csrfToken: string;
  readonly method: SignInMethod;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** An OpenID Connect authorization request waiting for its callback. */
export interface LoginFlow {
  readonly state: string;
  readonly workspaceId: string;
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly createdAt: string;
}

/** A one-time sign-in link (admin recovery); only the hash of its secret is stored. */
export interface LoginLink {
  readonly tokenHash: string;
  readonly workspaceId: string;
  readonly userId: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly usedAt: string | null;
}
