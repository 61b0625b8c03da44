/**
 * One Bolt connection: handshake, then the server state machine of the Bolt specification
 * (CONNECTED → AUTHENTICATION → READY ⇄ STREAMING, READY ⇄ TX_READY ⇄ TX_STREAMING,
 * FAILED until RESET, DEFUNCT = closed). Messages are handled strictly in order; every
 * rule — authentication, tenant, permission, admission, quotas, usage, error mapping — is
 * the request core's (src/service), called exactly as the HTTP door calls it: authenticate
 * → openSession → admit('execute_cypher') per RUN → stream / runInTransaction.
 *
 * RESET interrupts: messages queued before it are IGNORED and a running read is cancelled.
 * Responses are batched into one socket write per burst; a long PULL flushes as it goes and
 * waits for the socket to drain, so a large result never piles up in memory.
 */
import type { Socket } from 'node:net';
import type { QueryCursor } from '../engine/api.js';
import type { QueryResult, Value } from '../engine/values.js';
import { NexusError } from '../errors.js';
import { bufferedCursor } from '../service/index.js';
import type { CallScope, Credentials, RequestCore, ServiceTransaction, Session } from '../service/types.js';
import { BoltStruct } from './bolt-struct.js';
import { boltError } from './bolt-error.js';
import { ChunkDecoder } from './chunk-decoder.js';
import { ChunkEncoder } from './chunk-encoder.js';
import { Handshake, type BoltVersion } from './handshake.js';
import { PackStreamReader } from './packstream-reader.js';
import type { PackValue } from './packstream-writer.js';
import { ValueCodec } from './value-codec.js';

export const MSG = {
  HELLO: 0x01,
  GOODBYE: 0x02,
  RESET: 0x0f,
  RUN: 0x10,
  BEGIN: 0x11,
  COMMIT: 0x12,
  ROLLBACK: 0x13,
  DISCARD: 0x2f,
  PULL: 0x3f,
  TELEMETRY: 0x54,
  ROUTE: 0x66,
  LOGON: 0x6a,
  LOGOFF: 0x6b,
  SUCCESS: 0x70,
  RECORD: 0x71,
  IGNORED: 0x7e,
  FAILURE: 0x7f,
} as const;

type State = 'CONNECTED' | 'AUTHENTICATION' | 'READY' | 'STREAMING' | 'TX_READY' | 'TX_STREAMING' | 'FAILED';

/** The server's agent string (drivers parse `Neo4j/<major>.<minor>`). */
export const SERVER_AGENT = 'Neo4j/5.26.0';
/** Records pulled from a cursor per step of a PULL. */
const PULL_STEP = 1000;
/** Pending response bytes that trigger a flush during a long PULL. */
const FLUSH_BYTES = 256 * 1024;
/** The default database name drivers send; Nexus has one database. */
const DATABASE_NAMES = new Set(['neo4j', 'nexus']);

export interface BoltLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface BoltConnectionOptions {
  readonly core: RequestCore;
  readonly connectionId: string;
  readonly maxMessageBytes: number;
  /** The address ROUTE names when the client sent none (`host:port`). */
  readonly advertisedAddress: string;
  /** Closes a connection that has not authenticated within this many ms. */
  readonly authTimeoutMs: number;
  readonly logger?: BoltLogger;
  /** Called with each cursor a RUN opens (tests observe streaming through it). */
  readonly onCursor?: (cursor: QueryCursor) => void;
}

interface OpenResult {
  readonly qid: number;
  readonly cursor: QueryCursor;
  readonly inTx: boolean;
  /** Autocommit: the admitted call, finished (usage reported) when the result ends. */
  readonly scope: CallScope | null;
}

type Metadata = ReadonlyMap<string, PackValue>;

function meta(v: PackValue | undefined): Metadata {
  if (v === undefined || v === null) return new Map();
  if (!(v instanceof Map)) throw boltError('expected a map');
  return v as Metadata;
}

function str(m: Metadata, key: string): string | undefined {
  const v = m.get(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw boltError(`${key} must be a string`);
  return v;
}

function intField(m: Metadata, key: string, dflt: number): number {
  const v = m.get(key);
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'bigint') throw boltError(`${key} must be an integer`);
  return Number(v);
}

const STAT_KEYS = [
  ['nodesCreated', 'nodes-created'],
  ['nodesDeleted', 'nodes-deleted'],
  ['relationshipsCreated', 'relationships-created'],
  ['relationshipsDeleted', 'relationships-deleted'],
  ['propertiesSet', 'properties-set'],
  ['labelsAdded', 'labels-added'],
  ['labelsRemoved', 'labels-removed'],
  ['indexesAdded', 'indexes-added'],
  ['indexesRemoved', 'indexes-removed'],
] as const;

export class BoltConnection {
  private readonly core: RequestCore;
  private handshake: Handshake | null = new Handshake();
  private version: BoltVersion = { major: 0, minor: 0 };
  private codec = new ValueCodec(true, true);
  private readonly decoder: ChunkDecoder;
  private readonly encoder = new ChunkEncoder();
  private readonly queue: BoltStruct[] = [];
  private processing: Promise<void> | null = null;
  private closed = false;
  private state: State = 'CONNECTED';
  /** RESETs received but not yet handled: everything queued before them is IGNORED. */
  private resetsPending = 0;
  private session: Session | null = null;
  /** False for a SUPER key's connection that named no tenant (statements must name one). */
  private sessionHasNamespace = true;
  private readonly tenantSessions = new Map<string, Session>();
  private helloTenant: string | undefined;
  private tx: { stx: ServiceTransaction; session: Session } | null = null;
  private results: OpenResult[] = [];
  private nextQid = 0;
  private authTimer: NodeJS.Timeout | null;

  constructor(
    private readonly socket: Socket,
    private readonly options: BoltConnectionOptions,
  ) {
    this.core = options.core;
    this.decoder = new ChunkDecoder(options.maxMessageBytes);
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.destroy());
    this.authTimer = setTimeout(() => {
      if (this.session === null) this.destroy();
    }, options.authTimeoutMs);
    this.authTimer.unref();
  }

  private resolveFinished: () => void = () => undefined;
  /** Resolves once the connection's cleanup (rollback, session close) is done. */
  readonly finished: Promise<void> = new Promise((resolve) => (this.resolveFinished = resolve));

  private onData(data: Buffer): void {
    if (this.closed) return;
    try {
      if (this.handshake !== null) {
        const step = this.handshake.feed(data);
        if (step.reply !== undefined) this.socket.write(step.reply);
        if (step.kind === 'more') return;
        if (step.kind === 'refuse') {
          this.options.logger?.warn(
            { connection: this.options.connectionId, reason: step.reason },
            'bolt handshake refused',
          );
          this.socket.end();
          this.destroy();
          return;
        }
        this.handshake = null;
        this.version = step.version;
        this.codec = new ValueCodec(step.version.major >= 5, step.version.major >= 5);
        if (step.rest.length === 0) return;
        data = step.rest;
      }
      for (const message of this.decoder.push(data)) {
        const reader = new PackStreamReader(message);
        const value = reader.unpack();
        if (!(value instanceof BoltStruct) || reader.remaining !== 0)
          throw boltError('a message must be one structure');
        if (value.tag === MSG.RESET) this.resetsPending++;
        this.queue.push(value);
      }
    } catch (err) {
      this.protocolFailure(err);
      return;
    }
    this.drainQueue();
  }

  /** A malformed frame or message: FAILURE, then close. */
  private protocolFailure(err: unknown): void {
    const message = err instanceof Error ? err.message : 'protocol error';
    if (this.handshake === null) {
      this.encoder.write(
        new BoltStruct(MSG.FAILURE, [
          this.failureMetadata('Neo.ClientError.Request.Invalid', message, 'PROTOCOL_ERROR'),
        ]),
      );
      this.socket.write(this.encoder.take());
    }
    this.socket.end();
    this.destroy();
  }

  private drainQueue(): void {
    if (this.processing !== null) return;
    this.processing = (async () => {
      try {
        while (this.queue.length > 0 && !this.closed) {
          const message = this.queue.shift()!;
          await this.handle(message);
        }
        this.flush();
      } catch (err) {
        this.protocolFailure(err);
      } finally {
        this.processing = null;
      }
    })();
  }

  private flush(): void {
    if (this.encoder.length > 0 && !this.closed) this.socket.write(this.encoder.take());
  }

  /** During a long PULL: flush when enough is pending and wait while the socket is full. */
  private async flushIfLarge(): Promise<void> {
    if (this.encoder.length < FLUSH_BYTES) return;
    this.flush();
    if (this.socket.writableNeedDrain && !this.closed) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          resolve();
        };
        this.socket.on('drain', done);
        this.socket.on('close', done);
      });
    }
  }

  private send(tag: number, ...fields: PackValue[]): void {
    this.encoder.write(new BoltStruct(tag, fields));
  }

  private success(metadata: Record<string, PackValue | undefined> = {}): void {
    this.send(MSG.SUCCESS, metadata);
  }

  private failureMetadata(neo4jCode: string, message: string, nexusCode: string): Record<string, PackValue> {
    const text = `${nexusCode}: ${message}`;
    const m: Record<string, PackValue> = { code: neo4jCode, message: text };
    if (this.version.major > 5 || (this.version.major === 5 && this.version.minor >= 7)) {
      m['neo4j_code'] = neo4jCode;
      m['gql_status'] = neo4jCode === 'Neo.ClientError.Statement.SyntaxError' ? '42001' : '50N42';
      m['description'] = text;
      m['diagnostic_record'] = { OPERATION: '', OPERATION_CODE: '0', CURRENT_SCHEMA: '/' };
    }
    return m;
  }

  private fail(err: unknown): void {
    const mapped = this.core.mapError(err);
    this.send(MSG.FAILURE, this.failureMetadata(mapped.neo4jCode, mapped.message, mapped.code));
    this.state = 'FAILED';
  }

  private isCancelled = (): boolean => this.closed || this.resetsPending > 0;

  private async handle(m: BoltStruct): Promise<void> {
    const tag = m.tag;
    if (tag === MSG.RESET) {
      this.resetsPending--;
      return this.reset();
    }
    if (tag === MSG.GOODBYE) {
      this.flush();
      this.socket.end();
      this.destroy();
      return;
    }
    if (this.resetsPending > 0 || this.state === 'FAILED') {
      this.send(MSG.IGNORED);
      return;
    }
    try {
      await this.dispatch(m);
    } catch (err) {
      if (err instanceof NexusError && err.code === 'PROTOCOL_ERROR') throw err;
      this.fail(err);
    }
  }

  private expect(...states: State[]): void {
    if (!states.includes(this.state)) throw boltError(`message not allowed in state ${this.state}`);
  }

  private atLeast(major: number, minor: number): boolean {
    return this.version.major > major || (this.version.major === major && this.version.minor >= minor);
  }

  private async dispatch(m: BoltStruct): Promise<void> {
    const f = m.fields;
    switch (m.tag) {
      case MSG.HELLO:
        return this.hello(meta(f[0]));
      case MSG.LOGON:
        if (!this.atLeast(5, 1)) throw boltError('LOGON needs Bolt 5.1');
        this.expect('AUTHENTICATION');
        if (this.logon(meta(f[0]))) this.success();
        return;
      case MSG.LOGOFF:
        if (!this.atLeast(5, 1)) throw boltError('LOGOFF needs Bolt 5.1');
        this.expect('READY');
        await this.closeSessions();
        this.state = 'AUTHENTICATION';
        this.success();
        return;
      case MSG.RUN:
        return this.run(f);
      case MSG.PULL:
        return this.pull(meta(f[0]), false);
      case MSG.DISCARD:
        return this.pull(meta(f[0]), true);
      case MSG.BEGIN:
        return this.begin(meta(f[0]));
      case MSG.COMMIT:
        return this.commit();
      case MSG.ROLLBACK:
        return this.rollback();
      case MSG.ROUTE:
        this.expect('READY');
        this.route(f);
        return;
      case MSG.TELEMETRY:
        this.expect('READY');
        this.success();
        return;
      default:
        throw boltError(`unknown message 0x${m.tag.toString(16)}`);
    }
  }

  private hello(extra: Metadata): void {
    this.expect('CONNECTED');
    if (typeof extra.get('user_agent') !== 'string') throw boltError('HELLO needs a user_agent');
    this.helloTenant = str(extra, 'tenant');
    const reply: Record<string, PackValue> = {
      server: SERVER_AGENT,
      connection_id: this.options.connectionId,
      hints: new Map(),
    };
    if (this.version.major === 4) {
      const patches = extra.get('patch_bolt');
      if (Array.isArray(patches) && patches.includes('utc')) {
        this.codec = new ValueCodec(false, true);
        reply['patch_bolt'] = ['utc'];
      } else {
        this.codec = new ValueCodec(false, false);
      }
    }
    if (this.atLeast(5, 1)) {
      this.state = 'AUTHENTICATION';
    } else if (!this.logon(extra)) {
      // Bolt 4.4 and 5.0 carry the auth token in HELLO itself.
      return;
    }
    this.success(reply);
  }

  /** Authenticates an auth token (scheme, principal, credentials); a failure closes the connection. */
  private logon(token: Metadata): boolean {
    const scheme = str(token, 'scheme') ?? 'none';
    if (scheme !== 'basic' && scheme !== 'bearer' && scheme !== 'none') {
      throw new NexusError(
        'INVALID_TOKEN',
        `unsupported auth scheme '${scheme}' (use basic, bearer or none)`,
      );
    }
    const credentials = token.get('credentials');
    const principal = str(token, 'principal');
    const creds: Credentials = {
      scheme,
      clientAddress: this.socket.remoteAddress ?? 'unknown',
      ...(typeof credentials === 'string' ? { secret: credentials } : {}),
      ...(principal === undefined ? {} : { principal }),
    };
    try {
      const ctx = this.core.authenticate(creds);
      const tenant = str(token, 'tenant') ?? this.helloTenant;
      const options = { protocol: 'bolt' as const, ...(tenant === undefined ? {} : { tenant }) };
      try {
        this.session = this.core.openSession(ctx, options);
        this.sessionHasNamespace = true;
      } catch (err) {
        // A SUPER key may connect without naming a tenant; each statement must then name
        // one (transaction metadata `tenant`), else openSession refuses it there.
        if (tenant !== undefined || !ctx.permissions.has('SUPER')) throw err;
        this.session = this.core.openSession(ctx, { ...options, requireNamespace: false });
        this.sessionHasNamespace = false;
      }
    } catch (err) {
      // Spec: a failed authentication leaves the connection unusable.
      this.fail(err);
      this.flush();
      this.socket.end();
      this.destroy();
      return false;
    }
    if (this.authTimer !== null) clearTimeout(this.authTimer);
    this.state = 'READY';
    return true;
  }

  /** The session a statement runs under: the connection's, or a SUPER key's named tenant. */
  private sessionFor(extra: Metadata): Session {
    const session = this.session!;
    let tenant = str(extra, 'tenant');
    const txMeta = extra.get('tx_metadata');
    if (tenant === undefined && txMeta instanceof Map) {
      const t = (txMeta as Metadata).get('tenant');
      if (typeof t === 'string') tenant = t;
    }
    if (tenant === undefined) {
      // Throws the core's "name the tenant" error for a SUPER key that named none.
      if (!this.sessionHasNamespace) this.core.openSession(session.ctx, { protocol: 'bolt' });
      return session;
    }
    let s = this.tenantSessions.get(tenant);
    if (s === undefined) {
      s = this.core.openSession(session.ctx, { protocol: 'bolt', tenant });
      this.tenantSessions.set(tenant, s);
    }
    return s;
  }

  private checkDatabase(extra: Metadata): void {
    if (str(extra, 'imp_user') !== undefined) {
      throw new NexusError('FORBIDDEN', 'impersonation (imp_user) is not supported');
    }
    const db = str(extra, 'db');
    if (db !== undefined && db !== '' && !DATABASE_NAMES.has(db)) {
      throw new NexusError('DATABASE_NOT_FOUND', `database '${db}' does not exist (use neo4j or nexus)`);
    }
  }

  private params(v: PackValue | undefined): Record<string, Value> {
    const out: Record<string, Value> = Object.create(null) as Record<string, Value>;
    if (v === undefined || v === null) return out;
    if (!(v instanceof Map)) throw boltError('RUN parameters must be a map');
    for (const [k, x] of v as Metadata) out[k] = this.codec.decode(x);
    return out;
  }

  private async run(f: readonly PackValue[]): Promise<void> {
    this.expect('READY', 'TX_READY', 'TX_STREAMING');
    const query = f[0];
    if (typeof query !== 'string') throw boltError('RUN needs a query string');
    const extra = meta(f[2]);
    const started = Date.now();
    if (this.state === 'READY') {
      this.checkDatabase(extra);
      const params = this.params(f[1]);
      const scope = await this.core.admit(this.sessionFor(extra), 'execute_cypher');
      let cursor: QueryCursor;
      try {
        cursor = await this.core.stream(scope, query, params, { isCancelled: this.isCancelled });
      } catch (err) {
        this.core.finish(scope);
        throw err;
      }
      this.options.onCursor?.(cursor);
      this.results = [{ qid: this.nextQid++, cursor, inTx: false, scope }];
      this.state = 'STREAMING';
      this.success({
        fields: [...cursor.columns],
        t_first: BigInt(Date.now() - started),
        // 5.8: the database the statement ran in (drivers cache it as the home database).
        ...(this.atLeast(5, 8) ? { db: 'neo4j' } : {}),
      });
      return;
    }
    const { stx, session } = this.tx!;
    const params = this.params(f[1]);
    const scope = await this.core.admit(session, 'execute_cypher');
    let result: QueryResult;
    try {
      result = await this.core.runInTransaction(scope, stx, query, params, { isCancelled: this.isCancelled });
    } finally {
      this.core.finish(scope);
    }
    const cursor = bufferedCursor(result);
    this.options.onCursor?.(cursor);
    const qid = this.nextQid++;
    this.results.push({ qid, cursor, inTx: true, scope: null });
    this.state = 'TX_STREAMING';
    this.success({ fields: [...cursor.columns], t_first: BigInt(Date.now() - started), qid: BigInt(qid) });
  }

  private async pull(extra: Metadata, discard: boolean): Promise<void> {
    this.expect('STREAMING', 'TX_STREAMING');
    const started = Date.now();
    const n = intField(extra, 'n', -1);
    if (n === 0 || n < -1) throw boltError('PULL/DISCARD n must be -1 or positive');
    const qid = intField(extra, 'qid', -1);
    const result =
      qid === -1 ? this.results[this.results.length - 1] : this.results.find((r) => r.qid === qid);
    if (result === undefined) throw boltError(`no open result with qid ${qid}`);
    let left = n === -1 ? Infinity : n;
    let done = false;
    try {
      while (left > 0 && !done) {
        const step = discard && n === -1 ? Infinity : Math.min(left, PULL_STEP);
        const batch = await result.cursor.pull(step);
        done = batch.done;
        left -= batch.rows.length;
        if (!discard) {
          for (const row of batch.rows) {
            const fields = new Array<PackValue>(row.length);
            for (let i = 0; i < row.length; i++) fields[i] = this.codec.encode(row[i]!);
            this.send(MSG.RECORD, fields);
          }
          await this.flushIfLarge();
        }
        if (this.isCancelled()) throw new NexusError('QUERY_CANCELLED', 'interrupted by RESET');
        if (batch.rows.length === 0 && !done) break;
      }
    } catch (err) {
      this.endResult(result);
      throw err;
    }
    if (!done) {
      this.success({ has_more: true });
      return;
    }
    const { stats } = result.cursor.summary();
    this.endResult(result);
    const counts = new Map<string, PackValue>();
    for (const [from, to] of STAT_KEYS) if (stats[from] !== 0) counts.set(to, BigInt(stats[from]));
    this.success({
      type: result.cursor.isWrite ? 'rw' : 'r',
      t_last: BigInt(Date.now() - started),
      db: 'neo4j',
      ...(counts.size > 0 ? { stats: counts } : {}),
    });
    if (this.results.length === 0) this.state = result.inTx ? 'TX_READY' : 'READY';
  }

  private async begin(extra: Metadata): Promise<void> {
    this.expect('READY');
    this.checkDatabase(extra);
    const session = this.sessionFor(extra);
    const mode = str(extra, 'mode');
    const timeout = intField(extra, 'tx_timeout', 0);
    const scope = await this.core.admit(session, 'execute_cypher');
    let stx: ServiceTransaction;
    try {
      stx = this.core.beginTransaction(scope, {
        accessMode: mode === 'r' ? 'read' : 'write',
        ...(timeout > 0 ? { timeoutMs: timeout } : {}),
      });
    } finally {
      this.core.finish(scope);
    }
    this.tx = { stx, session };
    this.state = 'TX_READY';
    this.success(this.atLeast(5, 8) ? { db: 'neo4j' } : {});
  }

  /** Closes a result and finishes its call (usage of an autocommit statement is reported). */
  private endResult(result: OpenResult): void {
    this.results = this.results.filter((r) => r !== result);
    result.cursor.close();
    if (result.scope !== null) this.core.finish(result.scope);
  }

  private closeResults(): void {
    for (const r of [...this.results]) this.endResult(r);
  }

  private async commit(): Promise<void> {
    this.expect('TX_READY', 'TX_STREAMING');
    this.closeResults();
    const { stx } = this.tx!;
    this.tx = null;
    this.state = 'READY';
    const { bookmark } = await this.core.commit(stx);
    this.success({ bookmark });
  }

  private async rollback(): Promise<void> {
    this.expect('TX_READY', 'TX_STREAMING');
    this.closeResults();
    const { stx } = this.tx!;
    this.tx = null;
    this.state = 'READY';
    await this.core.rollback(stx);
    this.success();
  }

  private async reset(): Promise<void> {
    this.closeResults();
    await this.rollbackOpenTx();
    if (this.state === 'CONNECTED' || this.session === null) {
      // Nothing to reset to before authentication (5.1+ may RESET in AUTHENTICATION).
      if (this.state === 'CONNECTED') throw boltError('RESET before HELLO');
      this.state = 'AUTHENTICATION';
    } else {
      this.state = 'READY';
    }
    this.success();
  }

  private async rollbackOpenTx(): Promise<void> {
    if (this.tx === null) return;
    const { stx } = this.tx;
    this.tx = null;
    await this.core.rollback(stx).catch(() => undefined);
  }

  private route(f: readonly PackValue[]): void {
    const routing = meta(f[0]);
    // 4.4+: [routing, bookmarks, extra{db, imp_user}]; 4.3 sent the database as a string.
    const extra = f[2] instanceof Map ? (f[2] as Metadata) : new Map<string, PackValue>();
    this.checkDatabase(extra);
    const address = str(routing, 'address') ?? this.options.advertisedAddress;
    const servers = ['WRITE', 'READ', 'ROUTE'].map((role) => ({ addresses: [address], role }));
    this.success({ rt: { ttl: 300n, db: 'neo4j', servers } });
  }

  private async closeSessions(): Promise<void> {
    this.closeResults();
    await this.rollbackOpenTx();
    const sessions = [this.session, ...this.tenantSessions.values()].filter((s): s is Session => s !== null);
    this.session = null;
    this.tenantSessions.clear();
    for (const s of sessions) await this.core.closeSession(s).catch(() => undefined);
  }

  /**
   * Closes the socket (after pending writes; `hard`: at once) and releases everything the
   * connection holds; idempotent.
   */
  destroy(hard = false): void {
    if (hard) this.socket.destroy();
    if (this.closed) return;
    this.closed = true;
    if (this.authTimer !== null) clearTimeout(this.authTimer);
    this.queue.length = 0;
    this.socket.destroySoon();
    // The statement in flight (if any) ends first (a read sees isCancelled), then the
    // transaction is rolled back and the sessions closed.
    const inFlight = this.processing ?? Promise.resolve();
    void inFlight
      .then(() => this.closeSessions())
      .catch(() => undefined)
      .finally(() => this.resolveFinished());
  }
}
