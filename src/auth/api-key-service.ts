/**
 * API key lifecycle: create, list, get, update, revoke and verify, with the key
 * management rules of standalone and cluster mode. Keys live in one `SystemTable`
 * (hash only, never the secret); the service keeps no cache of its own beyond the
 * writes it has issued but that may not be committed yet, so a revoke — also one made by
 * another process on the same store — takes effect on the next request.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { NexusError } from '../errors.js';
import type { SystemTable } from '../storage/types.js';
import { isValidUserId } from '../cluster/namespace.js';
import type { ApiKeyRecord, Permission, UserContext } from './types.js';
import { PERMISSIONS } from './types.js';
import { hasPermission, impliesPermission, isPermission } from './permissions.js';
import { isFunctionName } from './functions.js';
import { generateSecret, hashSecret, hashSecretBytes, isWellFormedSecret } from './secrets.js';

/** Milliseconds since the epoch; injectable so tests control expiry and throttling. */
export type Clock = () => number;

/**
 * What the auth table holds, by key: `key:<id>` → a key, `hash:<sha256 hex>` → the id of
 * the key with that hash, `root` → the hash of the generated root key.
 */
export type AuthTableEntry =
  | { readonly kind: 'key'; readonly record: ApiKeyRecord; readonly hash: string }
  | { readonly kind: 'hash'; readonly id: string }
  | { readonly kind: 'root'; readonly hash: string; readonly created_at: string };

/** Name of the system table the server should open for `ApiKeyService`. */
export const AUTH_TABLE_NAME = 'api_keys';

export interface CreateKeyInput {
  name: string;
  user_id?: string | null;
  permissions: Permission[];
  allowed_functions?: string[] | null;
  /** ISO 8601 timestamp in the future, or null/absent for no expiry. */
  expires_at?: string | null;
}

export interface UpdateKeyInput {
  name?: string;
  permissions?: Permission[];
  allowed_functions?: string[] | null;
}

export interface CreatedKey {
  key: ApiKeyRecord;
  /** The secret, shown once; only its hash is stored. */
  secret: string;
}

export type VerifyFailure = 'malformed' | 'unknown' | 'revoked' | 'expired';
export type VerifyResult = { ok: true; key: ApiKeyRecord } | { ok: false; reason: VerifyFailure };
/** A `VerifyResult` whose record is shared and frozen (see `ApiKeyService.lookupHashed`). */
export type SharedVerifyResult =
  { ok: true; key: Readonly<ApiKeyRecord> } | { readonly ok: false; readonly reason: VerifyFailure };

const UNKNOWN = Object.freeze({ ok: false, reason: 'unknown' } as const);
const REVOKED = Object.freeze({ ok: false, reason: 'revoked' } as const);
const EXPIRED = Object.freeze({ ok: false, reason: 'expired' } as const);

/** A stored key entry as authentication uses it: frozen, with its hash as bytes. */
interface ParsedKeyEntry {
  readonly record: Readonly<ApiKeyRecord>;
  readonly digest: Buffer;
  readonly expiresAtMs: number | null;
}

/** Per presented key hash: see `ApiKeyService.verified`. */
interface VerifiedKey {
  readonly id: string;
  /** `key:<id>`, the entry read on every request. */
  readonly storageKey: string;
  /** The stored bytes `parsed` came from (null: not parsed yet, or missing). */
  raw: Buffer | null;
  parsed: ParsedKeyEntry | null;
}

function parseKeyEntry(entry: AuthTableEntry | undefined): ParsedKeyEntry | null {
  if (entry?.kind !== 'key') return null;
  const digest = Buffer.from(entry.hash, 'hex');
  if (digest.length !== 32) return null;
  const r = entry.record;
  const record: Readonly<ApiKeyRecord> = Object.freeze({
    ...r,
    permissions: Object.freeze([...r.permissions]) as Permission[],
    allowed_functions:
      r.allowed_functions === null ? null : (Object.freeze([...r.allowed_functions]) as string[]),
  });
  return { record, digest, expiresAtMs: r.expires_at === null ? null : Date.parse(r.expires_at) };
}

export interface ApiKeyServiceOptions {
  /** Cluster mode: tenant-scoped management and mandatory user_id on non-SUPER keys. */
  clusterMode?: boolean;
  clock?: Clock;
  /** Minimum interval between persisted `last_used_at` updates of one key (default 60 s). */
  lastUsedIntervalMs?: number;
  /**
   * Active keys (not revoked, not expired) one user_id may hold; keys without a user_id
   * count as one owner. null or absent = unlimited (the server passes
   * `auth.max_keys_per_user`, default 100).
   */
  maxKeysPerUser?: number | null;
}

const MAX_NAME_LENGTH = 200;
const KEY_PREFIX = 'key:';
const HASH_PREFIX = 'hash:';

function invalid(message: string): NexusError {
  return new NexusError('INVALID_BODY', message);
}

function forbidden(message: string): NexusError {
  return new NexusError('FORBIDDEN', message);
}

function notFound(id: string): NexusError {
  return new NexusError('NOT_FOUND', `API key ${id} not found`);
}

/** Copies a record so callers never alias what the service holds. */
function copyRecord(r: ApiKeyRecord): ApiKeyRecord {
  return {
    ...r,
    permissions: [...r.permissions],
    allowed_functions: r.allowed_functions === null ? null : [...r.allowed_functions],
  };
}

function validateName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME_LENGTH) {
    throw invalid(`name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
  }
  return name;
}

function validatePermissions(perms: unknown): Permission[] {
  if (!Array.isArray(perms) || perms.length === 0 || !perms.every(isPermission)) {
    throw invalid(`permissions must be a non-empty array of ${PERMISSIONS.join(', ')}`);
  }
  // Canonical order, no duplicates.
  return PERMISSIONS.filter((p) => (perms as Permission[]).includes(p));
}

function validateFunctions(fns: unknown): string[] | null {
  if (fns === undefined || fns === null) return null;
  if (!Array.isArray(fns) || !fns.every((f) => typeof f === 'string')) {
    throw invalid('allowed_functions must be null or an array of function names');
  }
  const unknown = fns.filter((f) => !isFunctionName(f));
  if (unknown.length > 0)
    throw invalid(`allowed_functions has unknown function names: ${unknown.join(', ')}`);
  return [...new Set(fns as string[])];
}

export class ApiKeyService {
  readonly clusterMode: boolean;
  private readonly clock: Clock;
  private readonly lastUsedIntervalMs: number;
  private readonly maxKeysPerUser: number | null;
  /**
   * Ids of keys being created, by owner (user_id, null for keys without one): a slot is
   * taken before the first write is issued, so concurrent creates cannot all pass the
   * limit check before any of their key entries is visible.
   */
  private readonly reserved = new Map<string | null, Set<string>>();
  /** Writes issued but possibly not yet visible through `table.get` (null = removed). */
  private readonly pending = new Map<string, AuthTableEntry | null>();
  /**
   * What authentication knows per presented key hash (hex): the key's id, and the last
   * parse of its stored entry with the exact bytes it came from. The hash → id mapping
   * never changes (a key's hash is fixed); the entry is re-read from storage on every
   * request and re-parsed when its bytes differ, so a revoke or an update — also one made
   * by another process — counts on the next request. Bounded: an evicted key is looked up
   * again.
   */
  private readonly verified = new LRUCache<string, VerifiedKey>({ max: 10_000 });
  /** When each key's last_used_at was last persisted; bounded, losing entries is harmless. */
  private readonly lastTouched = new LRUCache<string, number>({ max: 10_000 });

  constructor(
    private readonly table: SystemTable<AuthTableEntry>,
    options: ApiKeyServiceOptions = {},
  ) {
    this.clusterMode = options.clusterMode ?? false;
    this.clock = options.clock ?? Date.now;
    this.lastUsedIntervalMs = options.lastUsedIntervalMs ?? 60_000;
    this.maxKeysPerUser = options.maxKeysPerUser ?? null;
  }

  async create(input: CreateKeyInput, creator: UserContext): Promise<CreatedKey> {
    this.assertManager(creator);
    if (typeof input !== 'object' || input === null) throw invalid('body must be an object');
    const name = validateName(input.name);
    const permissions = validatePermissions(input.permissions);
    const allowedFunctions = validateFunctions(input.allowed_functions);
    const expiresAt = this.validateExpiry(input.expires_at);
    const userId = this.resolveUserId(input.user_id, permissions, creator);
    this.assertCanGrant(creator, permissions, allowedFunctions);

    const secret = generateSecret();
    const hash = hashSecret(secret);
    const record: ApiKeyRecord = {
      id: randomUUID(),
      name,
      user_id: userId,
      permissions,
      allowed_functions: allowedFunctions,
      created_at: new Date(this.clock()).toISOString(),
      expires_at: expiresAt,
      revoked_at: null,
      last_used_at: null,
    };
    // Checked and reserved synchronously, before the first await: see `reserved`.
    const release = this.reserveSlot(userId, record.id);
    try {
      // Lookup entry first: a key entry without its hash entry could never be used, the
      // reverse is ignored by verify (it checks the key entry's own hash).
      await this.write(HASH_PREFIX + hash, { kind: 'hash', id: record.id });
      await this.write(KEY_PREFIX + record.id, { kind: 'key', record, hash });
    } finally {
      release();
    }
    return { key: copyRecord(record), secret };
  }

  /** Keys the creator may manage, oldest first (revoked ones included, marked by revoked_at). */
  list(creator: UserContext): ApiKeyRecord[] {
    this.assertManager(creator);
    const out: ApiKeyRecord[] = [];
    for (const entry of this.keyEntries()) {
      if (this.isVisible(entry.record, creator)) out.push(copyRecord(entry.record));
    }
    return out.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  get(id: string, creator: UserContext): ApiKeyRecord {
    this.assertManager(creator);
    return copyRecord(this.visibleEntry(id, creator).record);
  }

  async update(id: string, input: UpdateKeyInput, creator: UserContext): Promise<ApiKeyRecord> {
    this.assertManager(creator);
    if (typeof input !== 'object' || input === null) throw invalid('body must be an object');
    const entry = this.visibleEntry(id, creator);
    this.assertCanModify(entry.record, creator);
    const next: ApiKeyRecord = { ...copyRecord(entry.record) };
    if (input.name !== undefined) next.name = validateName(input.name);
    if (input.permissions !== undefined) next.permissions = validatePermissions(input.permissions);
    if (input.allowed_functions !== undefined)
      next.allowed_functions = validateFunctions(input.allowed_functions);
    if (this.clusterMode && !next.permissions.includes('SUPER') && next.user_id === null) {
      throw invalid('in cluster mode a key without SUPER must have a user_id');
    }
    if (input.permissions !== undefined || input.allowed_functions !== undefined) {
      this.assertCanGrant(creator, next.permissions, next.allowed_functions);
    }
    await this.write(KEY_PREFIX + id, { kind: 'key', record: next, hash: entry.hash });
    return copyRecord(next);
  }

  /** Marks the key revoked (kept for audit); idempotent. */
  async revoke(id: string, creator: UserContext): Promise<ApiKeyRecord> {
    this.assertManager(creator);
    const entry = this.visibleEntry(id, creator);
    this.assertCanModify(entry.record, creator);
    if (entry.record.revoked_at !== null) return copyRecord(entry.record);
    const record: ApiKeyRecord = {
      ...copyRecord(entry.record),
      revoked_at: new Date(this.clock()).toISOString(),
    };
    await this.write(KEY_PREFIX + id, { kind: 'key', record, hash: entry.hash });
    return copyRecord(record);
  }

  /** The key for a presented secret, or undefined when it is not usable (see `check`). */
  verify(secret: string): ApiKeyRecord | undefined {
    const result = this.check(secret);
    return result.ok ? result.key : undefined;
  }

  /** Like `verify`, but says why a secret is refused. Updates last_used_at on success. */
  check(secret: string): VerifyResult {
    if (typeof secret !== 'string' || !isWellFormedSecret(secret)) return { ok: false, reason: 'malformed' };
    return this.checkHashed(hashSecretBytes(secret));
  }

  /** `check` for a well-formed secret whose SHA-256 the caller already computed. */
  checkHashed(digest: Buffer): VerifyResult {
    const result = this.lookupHashed(digest);
    return result.ok ? { ok: true, key: copyRecord(result.key) } : result;
  }

  /**
   * `checkHashed` without the defensive copy, for the per-request path: the record is
   * frozen and shared, and it is the same object for as long as the key's stored bytes do
   * not change, so a caller may cache what it derives from it by identity.
   */
  lookupHashed(digest: Buffer): SharedVerifyResult {
    const hex = digest.toString('hex');
    let known = this.verified.get(hex);
    if (known === undefined) {
      const lookup = this.read(HASH_PREFIX + hex);
      if (lookup?.kind !== 'hash') return UNKNOWN;
      known = { id: lookup.id, storageKey: KEY_PREFIX + lookup.id, raw: null, parsed: null };
      this.verified.set(hex, known);
    }
    // The key entry itself is read on every request, so revocation is never cached.
    const parsed = this.readKeyEntry(known);
    if (parsed === null || !timingSafeEqual(parsed.digest, digest)) return UNKNOWN;
    const record = parsed.record;
    if (record.revoked_at !== null) return REVOKED;
    const now = this.clock();
    if (parsed.expiresAtMs !== null && parsed.expiresAtMs <= now) return EXPIRED;
    this.touch(record.id, now);
    return { ok: true, key: record };
  }

  /** Resolves once every write issued so far (including last_used_at updates) is committed. */
  async flush(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  // --- rules -------------------------------------------------------------------------

  private assertManager(creator: UserContext): void {
    if (!hasPermission(creator, 'ADMIN')) throw forbidden('Managing API keys requires the ADMIN permission');
  }

  /** Cluster tenants see only their own keys; everyone else (SUPER, standalone ADMIN) sees all. */
  private isVisible(record: ApiKeyRecord, creator: UserContext): boolean {
    if (!this.clusterMode || hasPermission(creator, 'SUPER')) return true;
    return creator.userId !== null && record.user_id === creator.userId;
  }

  /** A key outside the creator's tenant is NOT_FOUND, never FORBIDDEN: existence is not revealed. */
  private visibleEntry(id: string, creator: UserContext): Extract<AuthTableEntry, { kind: 'key' }> {
    const entry = typeof id === 'string' ? this.read(KEY_PREFIX + id) : undefined;
    if (entry?.kind !== 'key' || !this.isVisible(entry.record, creator)) throw notFound(String(id));
    return entry;
  }

  /**
   * A non-SUPER manager cannot change (or revoke) a key that holds more than it does:
   * permissions, and functions when the manager's own functions are restricted.
   */
  private assertCanModify(record: ApiKeyRecord, creator: UserContext): void {
    if (hasPermission(creator, 'SUPER')) return;
    if (record.permissions.some((p) => p === 'SUPER' || !impliesPermission(creator.permissions, p))) {
      throw forbidden('This key holds permissions the caller does not have');
    }
    const mine = creator.allowedFunctions;
    if (mine !== null) {
      const theirs = record.allowed_functions;
      if (theirs === null || theirs.some((f) => !mine.includes(f))) {
        throw forbidden('This key may call functions the caller may not');
      }
    }
  }

  /** No escalation: grant only permissions and functions the creator holds; SUPER only by SUPER. */
  private assertCanGrant(creator: UserContext, permissions: Permission[], fns: string[] | null): void {
    if (!hasPermission(creator, 'SUPER')) {
      const beyond = permissions.filter((p) => p === 'SUPER' || !impliesPermission(creator.permissions, p));
      if (beyond.length > 0)
        throw forbidden(`Cannot grant permissions the caller does not hold: ${beyond.join(', ')}`);
    }
    if (creator.allowedFunctions !== null) {
      if (fns === null)
        throw forbidden('A key with restricted allowed_functions cannot create an unrestricted key');
      const beyond = fns.filter((f) => !creator.allowedFunctions?.includes(f));
      if (beyond.length > 0)
        throw forbidden(`Cannot grant functions the caller may not call: ${beyond.join(', ')}`);
    }
  }

  private resolveUserId(requested: unknown, permissions: Permission[], creator: UserContext): string | null {
    if (requested !== undefined && requested !== null && !isValidUserId(requested)) {
      throw invalid('user_id must be 1-128 characters of [A-Za-z0-9_-]');
    }
    const given = (requested ?? null) as string | null;
    if (!this.clusterMode) return given;
    if (!hasPermission(creator, 'SUPER')) {
      // A tenant's admin creates keys for its own tenant only.
      if (given !== null && given !== creator.userId)
        throw forbidden('Keys can only be created for your own user_id');
      if (creator.userId === null) throw forbidden('This key is not bound to a tenant');
      return creator.userId;
    }
    if (given === null && !permissions.includes('SUPER')) {
      throw invalid('in cluster mode a key without SUPER must have a user_id');
    }
    return given;
  }

  /**
   * Refuses a new key for `owner` when it already holds `maxKeysPerUser` active keys
   * (stored, pending, or being created), else reserves a slot for `id` until the returned
   * release runs. A scan of the key entries: create is rare, authentication never pays it.
   * Counted by id, so a key both reserved and already visible in storage counts once.
   */
  private reserveSlot(owner: string | null, id: string): () => void {
    const limit = this.maxKeysPerUser;
    if (limit === null) return () => undefined;
    const now = this.clock();
    const active = new Set<string>(this.reserved.get(owner));
    for (const { record } of this.keyEntries()) {
      if (record.user_id !== owner || record.revoked_at !== null) continue;
      if (record.expires_at !== null && Date.parse(record.expires_at) <= now) continue;
      active.add(record.id);
    }
    if (active.size >= limit) {
      const who = owner === null ? 'The keys without a user_id (one owner)' : `user_id ${owner}`;
      throw new NexusError(
        'API_KEY_LIMIT_EXCEEDED',
        `${who} already has ${active.size} active API keys, the maximum (auth.max_keys_per_user = ${limit}); revoke one to create another`,
        { details: { user_id: owner, limit } },
      );
    }
    let ids = this.reserved.get(owner);
    if (ids === undefined) this.reserved.set(owner, (ids = new Set()));
    ids.add(id);
    return () => {
      ids.delete(id);
      if (ids.size === 0 && this.reserved.get(owner) === ids) this.reserved.delete(owner);
    };
  }

  private validateExpiry(expires: unknown): string | null {
    if (expires === undefined || expires === null) return null;
    const ms = typeof expires === 'string' ? Date.parse(expires) : NaN;
    if (Number.isNaN(ms)) throw invalid('expires_at must be an ISO 8601 timestamp');
    if (ms <= this.clock()) throw invalid('expires_at must be in the future');
    return new Date(ms).toISOString();
  }

  // --- storage -----------------------------------------------------------------------

  private readonly inflight = new Set<Promise<void>>();

  private read(key: string): AuthTableEntry | undefined {
    if (this.pending.has(key)) return this.pending.get(key) ?? undefined;
    return this.table.get(key);
  }

  /**
   * The key entry of `known` for authentication: the stored bytes are read on every call,
   * but parsed only when they differ from the bytes of the last parse. Null when the entry
   * is missing or is not a well-formed key entry.
   */
  private readKeyEntry(known: VerifiedKey): ParsedKeyEntry | null {
    if (this.table.getRaw === undefined || this.pending.has(known.storageKey)) {
      return parseKeyEntry(this.read(known.storageKey));
    }
    const raw = this.table.getRaw(known.storageKey);
    if (raw === undefined) {
      known.raw = null;
      known.parsed = null;
      return null;
    }
    if (known.raw !== null && Buffer.compare(known.raw, raw) === 0) return known.parsed;
    const copy = Buffer.from(raw);
    known.parsed = parseKeyEntry(JSON.parse(copy.toString('utf8')) as AuthTableEntry);
    known.raw = copy;
    return known.parsed;
  }

  private write(key: string, value: AuthTableEntry): Promise<void> {
    this.pending.set(key, value);
    const p = this.table.put(key, value).finally(() => {
      if (this.pending.get(key) === value) this.pending.delete(key);
      this.inflight.delete(p);
    });
    this.inflight.add(p);
    return p;
  }

  private *keyEntries(): Iterable<Extract<AuthTableEntry, { kind: 'key' }>> {
    const seen = new Set<string>();
    for (const [k, v] of this.table.entries(KEY_PREFIX)) {
      seen.add(k);
      const cur = this.read(k);
      if (cur?.kind === 'key') yield cur;
      else if (cur === undefined && v.kind === 'key') yield v;
    }
    for (const [k, v] of this.pending) {
      if (!seen.has(k) && k.startsWith(KEY_PREFIX) && v?.kind === 'key') yield v;
    }
  }

  /** Persists last_used_at at most once per interval per key, without delaying the request. */
  private touch(id: string, now: number): void {
    const last = this.lastTouched.get(id);
    if (last !== undefined && now - last < this.lastUsedIntervalMs) return;
    this.lastTouched.set(id, now);
    // Re-read so a concurrent revoke/update is never overwritten with stale state.
    const entry = this.read(KEY_PREFIX + id);
    if (entry?.kind !== 'key' || entry.record.revoked_at !== null) return;
    const record = { ...entry.record, last_used_at: new Date(now).toISOString() };
    this.write(KEY_PREFIX + id, { kind: 'key', record, hash: entry.hash }).catch(() => {
      // Best effort: a lost last_used_at update must never fail a request.
      this.lastTouched.delete(id);
    });
  }
}
