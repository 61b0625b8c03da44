/**
 * API key secrets: generation, format and hashing. Secrets are never stored; only their
 * SHA-256 hash is, and hashes are compared in constant time.
 */
import { hash, randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'nx_';
/** `nx_` + base64url (no padding) of 32 random bytes = 43 characters. */
export const SECRET_PATTERN = /^nx_[A-Za-z0-9_-]{43}$/;

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

export function isWellFormedSecret(secret: string): boolean {
  return SECRET_PATTERN.test(secret);
}

/** SHA-256 of the secret, raw bytes. A fast hash is enough: secrets carry 256 random bits. */
export function hashSecretBytes(secret: string): Buffer {
  // One-shot hash: no Hash object per request (this runs on every authenticated request).
  return hash('sha256', secret, 'buffer');
}

/** SHA-256 of the secret, hex (the stored form). */
export function hashSecret(secret: string): string {
  return hashSecretBytes(secret).toString('hex');
}
