/** A key of the application API (docs/api.md): for one workspace, or for the instance (every workspace). */
export interface ApiKey {
  readonly id: string;
  /** Null: an instance key. */
  readonly workspaceId: string | null;
  readonly name: string;
  /** SHA-256 of the key; the key itself is shown once and never stored. */
  readonly keyHash: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface ApiKeyRepository {
  insert(key: ApiKey): Promise<void>;
  byId(id: string): Promise<ApiKey | undefined>;
  /** Every key, newest first; a workspace's only when `workspaceId` is given. */
  list(workspaceId?: string): Promise<ApiKey[]>;
  /** Revokes a key that is not revoked yet; false when there is no such live key. */
  revoke(id: string, at: string): Promise<boolean>;
  touch(id: string, at: string): Promise<void>;
}
