/**
 * The storage engine: one LMDB environment holding every namespace. `GraphStore` owns
 * the environment, the namespace registry (name → compact numeric id) and the single
 * write gate; callers reach data only through a `NamespaceHandle`, which is bound to one
 * namespace for its whole life.
 *
 * Databases inside the environment:
 * - `data`: all graph data; every key starts with the namespace id (see key-layout.ts).
 * - `registry`: `<utf8 name>` → varint namespace id, and `0xff` → next id to allocate.
 * - `system`: system tables (see system-table.ts).
 */
import { open, type RootDatabase } from 'lmdb';
import { NexusError } from '../errors.js';
import { BulkLoader } from './bulk-loader.js';
import { ByteReader, ByteWriter } from './byte-writer.js';
import { MetaKey, Tag, namespacePrefix } from './key-layout.js';
import { moveNamespace, type MoveOptions, type MoveResult } from './namespace-migration.js';
import { NamespaceReader, binaryGets, type DataDb, type ReadOptions } from './namespace-reader.js';
import { NamespaceState, decodeCounters } from './namespace-state.js';
import { MAX_NAME_BYTES, NamespaceWriter } from './namespace-writer.js';
import { LmdbSystemTable } from './system-table.js';
import type {
  GraphReader,
  GraphWriter,
  NamespaceHandle,
  NamespaceStats,
  ReadTransaction,
  StoreOptions,
  SystemTable,
  WriteOptions,
} from './types.js';
import { WriteGate } from './write-gate.js';

/** Registry key of the next namespace id (0xff never occurs in a UTF-8 name). */
const NEXT_NAMESPACE_KEY = Buffer.of(0xff);

/** What the migration code needs from the store. */
export interface StoreInternals {
  readonly data: DataDb;
  readonly registry: DataDb;
  readonly gate: WriteGate;
  /** Committed namespace id of `name`, if registered. */
  lookupNamespace(name: string): number | undefined;
  /** Registers `name` inside the current write transaction; returns its id. */
  registerNamespace(name: string): number;
  unregisterNamespace(name: string): void;
  /** Drops cached ids and catalog entries of `name`. */
  forget(name: string): void;
}

export class GraphStore {
  private readonly states = new Map<string, NamespaceState>();
  private readonly handles = new Map<string, LmdbNamespaceHandle>();
  private readonly tables = new Map<string, LmdbSystemTable<unknown>>();
  private closed = false;
  /** @internal */
  readonly internals: StoreInternals;

  private constructor(
    private readonly root: RootDatabase,
    /** @internal */ readonly data: DataDb,
    private readonly registry: DataDb,
    private readonly system: DataDb,
    /** @internal */ readonly gate: WriteGate,
  ) {
    this.internals = {
      data,
      registry,
      gate,
      lookupNamespace: (name) => this.lookupNamespace(name, undefined),
      registerNamespace: (name) => this.registerNamespace(name),
      unregisterNamespace: (name) => {
        registry.removeSync(Buffer.from(name, 'utf8'));
      },
      forget: (name) => this.states.get(name)?.reset(),
    };
  }

  /**
   * Opens (creating if needed) the environment at `options.path`. Commits are synced
   * unless `sync: false`, which is for bulk loads only: a crash may then lose the most
   * recent commits (LMDB keeps the file consistent, but not durable).
   */
  static open(options: StoreOptions): Promise<GraphStore> {
    const sync = options.sync ?? true;
    const root = open({
      path: options.path,
      // lmdb-js guesses "file, not directory" from a dot in the last path segment
      // (`./data.v2`, `/tmp/tmp.AbC`); the store is always a directory.
      noSubdir: false,
      maxDbs: 8,
      maxReaders: 512,
      // Plain LMDB commits: each write transaction is flushed before it returns.
      overlappingSync: false,
      noSync: !sync,
      ...(options.mapSize !== undefined ? { mapSize: options.mapSize } : {}),
    });
    const binary = { keyEncoding: 'binary', encoding: 'binary' } as const;
    const data = root.openDB<Buffer, Buffer>('data', binary);
    const registry = root.openDB<Buffer, Buffer>('registry', binary);
    const system = root.openDB<Buffer, Buffer>('system', binary);
    return Promise.resolve(new GraphStore(root, data, registry, system, new WriteGate(data)));
  }

  private assertOpen(): void {
    if (this.closed) throw new NexusError('SERVICE_UNAVAILABLE', 'The store is closed');
  }

  /** The handle of one namespace (created lazily on its first write). */
  namespace(name: string): NamespaceHandle {
    this.assertOpen();
    if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
      throw new NexusError('INVALID_PARAMETER', `Namespace names must be 1 to ${MAX_NAME_BYTES} UTF-8 bytes`);
    }
    let handle = this.handles.get(name);
    if (handle === undefined) {
      let state = this.states.get(name);
      if (state === undefined) {
        state = new NamespaceState(name);
        this.states.set(name, state);
      }
      handle = new LmdbNamespaceHandle(this, state);
      this.handles.set(name, handle);
    }
    return handle;
  }

  /** Names of the namespaces that hold data (at least one counted entry). */
  namespaces(): string[] {
    this.assertOpen();
    const out: string[] = [];
    for (const { key, value } of this.registry.getRange({})) {
      if ((key as Buffer).equals(NEXT_NAMESPACE_KEY)) continue;
      const prefix = namespacePrefix(new ByteReader(value).varint());
      const stats = this.countersOf(prefix, undefined);
      if (stats.bytes > 0) out.push((key as Buffer).toString('utf8'));
    }
    return out.sort();
  }

  /** A system table (JSON values, synced writes) outside every namespace. */
  systemTable<V>(name: string): SystemTable<V> {
    this.assertOpen();
    if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
      throw new NexusError(
        'INVALID_PARAMETER',
        `System table names must be 1 to ${MAX_NAME_BYTES} UTF-8 bytes`,
      );
    }
    let table = this.tables.get(name);
    if (table === undefined) {
      table = new LmdbSystemTable<unknown>(this.system, this.gate, name);
      this.tables.set(name, table);
    }
    return table as SystemTable<V>;
  }

  /**
   * Moves all data of namespace `from` into `to` (offline standalone → tenant
   * migration), keeping ids. Resumable: re-running after an interruption finishes the
   * job. See namespace-migration.ts.
   */
  moveNamespace(from: string, to: string, opts: MoveOptions = {}): Promise<MoveResult> {
    this.assertOpen();
    return moveNamespace(this.internals, from, to, opts);
  }

  /**
   * A bulk loader into the EMPTY namespace `name` (offline import): records are buffered
   * and written in one transaction by `commit()`. Throws CONFLICT if the namespace holds
   * anything. See bulk-loader.ts.
   */
  bulkLoader(name: string): BulkLoader {
    this.assertOpen();
    return new BulkLoader(this.internals, name);
  }

  /**
   * Every entry of the environment as hex strings, `<db>:<key>` → value. For tests and
   * diagnostics (e.g. proving that a failed write changed nothing); O(size).
   */
  dumpEntries(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [name, db] of [
      ['data', this.data],
      ['registry', this.registry],
      ['system', this.system],
    ] as const) {
      for (const { key, value } of db.getRange({})) {
        out.set(`${name}:${(key as Buffer).toString('hex')}`, value.toString('hex'));
      }
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Writes accepted before close are committed, not dropped.
    this.gate.drain();
    this.closed = true;
    await this.root.close();
  }

  // ---- internals -----------------------------------------------------------------------

  /** @internal */
  lookupNamespace(name: string, txnOpts: ReadOptions | undefined): number | undefined {
    const buf = binaryGets(this.registry).getBinaryFast(Buffer.from(name, 'utf8'), txnOpts);
    return buf === undefined ? undefined : new ByteReader(buf).varint();
  }

  /** The committed key prefix of a namespace, caching it once known. */
  prefixOf(state: NamespaceState, txnOpts: ReadOptions | undefined): Buffer | undefined {
    if (state.prefix !== undefined) return state.prefix;
    const id = this.lookupNamespace(state.name, txnOpts);
    if (id === undefined) return undefined;
    const prefix = namespacePrefix(id);
    // Inside a write transaction the entry may be uncommitted: never cache it then.
    if (!this.gate.active) {
      state.nsId = id;
      state.prefix = prefix;
    }
    return prefix;
  }

  /** Allocates a namespace id inside the current write transaction. */
  private registerNamespace(name: string): number {
    const next = binaryGets(this.registry).getBinaryFast(NEXT_NAMESPACE_KEY);
    const id = next === undefined ? 0 : new ByteReader(next).varint();
    this.registry.putSync(Buffer.from(name, 'utf8'), new ByteWriter(8).varint(id).copy());
    this.registry.putSync(NEXT_NAMESPACE_KEY, new ByteWriter(8).varint(id + 1).copy());
    return id;
  }

  /** @internal */
  countersOf(prefix: Buffer, txnOpts: ReadOptions | undefined): NamespaceStats {
    const key = Buffer.concat([prefix, Buffer.of(Tag.Meta, MetaKey.Stats)]);
    const c = decodeCounters(binaryGets(this.data).getBinary(key, txnOpts));
    return { nodes: c.nodes, relationships: c.relationships, bytes: c.bytes };
  }

  /**
   * @internal Queues `fn` for the next group commit (see write-gate.ts), bound to
   * `state`'s namespace. `fn` runs in its own child transaction, so a throw or a quota
   * overflow rolls back only its writes; new ids are shared only after the commit.
   */
  writeNamespace<T>(
    state: NamespaceState,
    fn: (tx: GraphWriter) => T,
    options: WriteOptions | undefined,
  ): Promise<T> {
    this.assertOpen();
    let writer: NamespaceWriter | undefined;
    let createdId: number | undefined;
    return this.gate.enqueue(
      () => {
        if (this.closed) throw new NexusError('SERVICE_UNAVAILABLE', 'The store is closed');
        let prefix = this.prefixOf(state, undefined);
        if (prefix === undefined) {
          createdId = this.registerNamespace(state.name);
          prefix = namespacePrefix(createdId);
        }
        writer = new NamespaceWriter(this.data, state, prefix);
        const r = fn(writer);
        writer.finish(options?.maxBytes);
        return r;
      },
      () => {
        // Committed: now the new namespace id and catalog entries may be shared.
        if (createdId !== undefined) {
          state.nsId = createdId;
          state.prefix = namespacePrefix(createdId);
        }
        writer!.publish();
      },
      state.name,
    );
  }

  /**
   * @internal Like `writeNamespace`, but the transaction is always rolled back (see
   * `NamespaceHandle.scratch`): the body throws a private marker carrying `fn`'s result,
   * which aborts only this member's (child) transaction; the marker is turned back into
   * the result here. Ids allocated inside are reserved through the namespace's floors.
   */
  async scratchNamespace<T>(state: NamespaceState, fn: (tx: GraphWriter) => T): Promise<T> {
    this.assertOpen();
    try {
      await this.gate.enqueue(
        () => {
          if (this.closed) throw new NexusError('SERVICE_UNAVAILABLE', 'The store is closed');
          let prefix = this.prefixOf(state, undefined);
          // A namespace that does not exist yet is registered inside the scratch transaction
          // (and rolled back with it).
          if (prefix === undefined) prefix = namespacePrefix(this.registerNamespace(state.name));
          const writer = new NamespaceWriter(this.data, state, prefix);
          try {
            const result = fn(writer);
            // Constraints fail the statement now, not only at the commit's replay.
            writer.checkConstraints();
            throw new ScratchResult(result);
          } finally {
            state.nodeFloor = Math.max(state.nodeFloor, writer.counters.nextNode);
            state.relFloor = Math.max(state.relFloor, writer.counters.nextRel);
          }
        },
        undefined,
        state.name,
      );
    } catch (error) {
      if (error instanceof ScratchResult) return error.value as T;
      throw error;
    }
    throw new NexusError('INTERNAL_ERROR', 'A scratch transaction committed');
  }

  /** @internal */
  reader(state: NamespaceState, txnOpts: ReadOptions | undefined): NamespaceReader {
    this.assertOpen();
    return new NamespaceReader(this.data, state, txnOpts, this.prefixOf(state, txnOpts));
  }

  /** @internal */
  snapshot(state: NamespaceState): SnapshotReader {
    this.assertOpen();
    const transaction = this.data.useReadTransaction();
    const txnOpts = { transaction };
    return new SnapshotReader(this.data, state, txnOpts, this.prefixOf(state, txnOpts));
  }
}

/** Thrown out of a scratch transaction's body to roll it back while carrying its result. */
class ScratchResult {
  constructor(readonly value: unknown) {}
}

/** A reader over a held read transaction. */
class SnapshotReader extends NamespaceReader implements ReadTransaction {
  private open = true;

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.txnOpts!.transaction.done();
  }
}

class LmdbNamespaceHandle implements NamespaceHandle {
  constructor(
    private readonly store: GraphStore,
    private readonly state: NamespaceState,
  ) {}

  get namespace(): string {
    return this.state.name;
  }

  read<T>(fn: (tx: GraphReader) => T): T {
    // Inside a write, reads must see that write: no separate snapshot.
    if (this.store.gate.active) return fn(this.store.reader(this.state, undefined));
    const snap = this.store.snapshot(this.state);
    try {
      return fn(snap);
    } finally {
      snap.close();
    }
  }

  beginRead(): ReadTransaction {
    return this.store.snapshot(this.state);
  }

  write<T>(fn: (tx: GraphWriter) => T, options?: WriteOptions): Promise<T> {
    try {
      return this.store.writeNamespace(this.state, fn, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  scratch<T>(fn: (tx: GraphWriter) => T): Promise<T> {
    try {
      return this.store.scratchNamespace(this.state, fn);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  stats(): NamespaceStats {
    const prefix = this.store.prefixOf(this.state, undefined);
    if (prefix === undefined) return { nodes: 0, relationships: 0, bytes: 0 };
    return this.store.countersOf(prefix, undefined);
  }
}

export type { MoveOptions, MoveResult };
