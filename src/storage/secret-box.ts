import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Encrypts secrets stored in the database (the SSO client secret) with AES-256-GCM. */
export interface SecretBox {
  seal(plain: string): string;
  open(stored: string): string;
}

const PREFIX = 'enc:v1:';

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new TypeError('a secret box needs a 32-byte key');
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${PREFIX}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${sealed.toString('base64url')}`;
    },
    open(stored) {
      // Values written before encryption existed are read as they are and sealed on the next save.
      if (!stored.startsWith(PREFIX)) return stored;
      const [iv, tag, sealed] = stored.slice(PREFIX.length).split(':');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv ?? '', 'base64url'));
        decipher.setAuthTag(Buffer.from(tag ?? '', 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(sealed ?? '', 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('cannot decrypt a stored secret: ROSTER_SECRET_KEY is not the key it was stored with');
      }
    },
  };
}

/**
 * The key from configuration: ROSTER_SECRET_KEY (any string; stretched with scrypt), else the
 * key file ROSTER_SECRET_KEY_FILE, by default `roster.key` beside a SQLite database or in
 * ./data for PostgreSQL, created with 256 random bits on first use (mode 0600). Instances that
 * share a PostgreSQL database must share the key: set ROSTER_SECRET_KEY on all of them.
 */
export function secretKeyFor(database: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env.ROSTER_SECRET_KEY) return scryptSync(env.ROSTER_SECRET_KEY, 'roster-secret-box-v1', 32);
  const isFile = !/^postgres(ql)?:\/\//i.test(database) && database !== ':memory:';
  const file = resolve(env.ROSTER_SECRET_KEY_FILE ?? (isFile ? join(dirname(database), 'roster.key') : './data/roster.key'));
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  } catch {
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    } catch {
      // Another process created it first: use theirs.
    }
    chmodSync(file, 0o600);
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  }
}
