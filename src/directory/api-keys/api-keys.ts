import { createHash, randomBytes } from 'node:crypto';
import { DirectoryError } from '../errors.js';
import { newId, nowIso } from '../ids.js';
import { sameHash } from '../integrations/tokens.js';
import type { Workspace } from '../model.js';
import type { DirectoryStore } from '../ports.js';
import { requireWorkspace } from '../workspaces/workspaces.js';
import type { ApiKey } from './api-key-ports.js';

/** Prefix that lets secret scanners recognise a leaked key of Roster's application API. */
export const API_KEY_PREFIX = 'roster_key_';

/** An API key as shown to the admin who creates it (the key itself, once). */
export interface IssuedApiKey {
  readonly id: string;
  readonly key: string;
  /** The workspace's slug, or null for an instance key. */
  readonly workspace: string | null;
  readonly name: string;
}

/** An API key as listed: never the key, nor its hash. */
export interface ApiKeyInfo {
  readonly id: string;
  readonly workspace: string | null;
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** Who an API key lets in: one workspace, or every workspace of the instance. */
export interface ApiCaller {
  readonly keyId: string;
  /** Undefined for an instance key. */
  readonly workspace: Workspace | undefined;
}

const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');
const dashed = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/**
 * Creates an API key: `roster_key_<key id>_<256 random bits>`. Only its SHA-256 hash is stored;
 * the id in it lets authentication read one row. A key is for one workspace (`slug`) or, without
 * one, for every workspace of the instance (the host app serving every tenant).
 */
export async function createApiKey(store: DirectoryStore, slug: string | undefined, name: string | undefined): Promise<IssuedApiKey> {
  const workspace = slug === undefined ? undefined : await requireWorkspace(store, slug);
  const label = (name ?? '').trim() || (workspace ? `${workspace.slug} key` : 'instance key');
  if (label.length > 100) throw new DirectoryError('invalidArgument', 'a key name needs at most 100 characters');
  const id = newId();
  const key = `${API_KEY_PREFIX}${id.replaceAll('-', '')}_${randomBytes(32).toString('base64url')}`;
  const record: ApiKey = {
    id,
    workspaceId: workspace?.id ?? null,
    name: label,
    keyHash: hashKey(key),
    createdAt: nowIso(),
    lastUsedAt: null,
    revokedAt: null,
  };
  await store.transaction((repos) => repos.apiKeys.insert(record));
  return { id, key, workspace: workspace?.slug ?? null, name: label };
}

export async function listApiKeys(store: DirectoryStore, slug?: string): Promise<ApiKeyInfo[]> {
  const workspace = slug === undefined ? undefined : await requireWorkspace(store, slug);
  const [keys, workspaces] = await Promise.all([store.read.apiKeys.list(workspace?.id), store.read.workspaces.list()]);
  const slugs = new Map(workspaces.map((w) => [w.id, w.slug]));
  return keys.map((k) => ({
    id: k.id,
    workspace: k.workspaceId === null ? null : (slugs.get(k.workspaceId) ?? null),
    name: k.name,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
  }));
}

/** Revokes a key at once: its next request is refused, on every instance (keys are never cached). */
export async function revokeApiKey(store: DirectoryStore, id: string): Promise<ApiKeyInfo> {
  const revoked = await store.transaction(async (repos) => {
    if (!(await repos.apiKeys.revoke(id, nowIso()))) throw new DirectoryError('invalidArgument', `no live API key '${id}'`);
    return repos.apiKeys.byId(id);
  });
  const [info] = (await listApiKeys(store)).filter((k) => k.id === revoked?.id);
  if (!info) throw new TypeError(`API key ${id} vanished while it was revoked`);
  return info;
}

/** How often `lastUsedAt` is written for one key: a write per request would cost every request a commit. */
const TOUCH_INTERVAL_MS = 60_000;
const touched = new Map<string, number>();

/** The caller an `Authorization: Bearer` API key names; undefined for unknown, malformed or revoked keys. */
export async function authenticateApiKey(store: DirectoryStore, key: string): Promise<ApiCaller | undefined> {
  const match = /^roster_key_([0-9a-f]{32})_[A-Za-z0-9_-]{43}$/.exec(key);
  if (!match) return undefined;
  const found = await store.read.apiKeys.byId(dashed(match[1] as string));
  if (!found || found.revokedAt !== null || !sameHash(found.keyHash, hashKey(key))) return undefined;
  const workspace = found.workspaceId === null ? undefined : await store.read.workspaces.byId(found.workspaceId);
  if (found.workspaceId !== null && !workspace) return undefined;
  const now = Date.now();
  if ((touched.get(found.id) ?? 0) < now - TOUCH_INTERVAL_MS) {
    touched.set(found.id, now);
    if (touched.size > 10_000) touched.clear();
    await store.transaction((repos) => repos.apiKeys.touch(found.id, new Date(now).toISOString()));
  }
  return { keyId: found.id, workspace };
}
