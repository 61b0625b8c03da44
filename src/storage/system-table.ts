/**
 * Small key/value tables outside every namespace (API keys, the usage outbox). All
 * tables share the `system` database; a key is `<utf8 table><0xff><utf8 key>` (0xff
 * never occurs in UTF-8, so tables cannot overlap) and a value is its JSON text. Writes
 * go through the write gate and are synced like every other commit.
 */
import { NexusError } from '../errors.js';
import { prefixEnd } from './key-layout.js';
import { binaryGets, type DataDb } from './namespace-reader.js';
import type { SystemTable, SystemTableWrite } from './types.js';
import type { WriteGate } from './write-gate.js';

/** LMDB's key limit in lmdb-js builds is 1978 bytes; stay clear of it. */
const MAX_KEY_BYTES = 1900;
const MAX_CACHED_KEYS = 10_000;

export class LmdbSystemTable<V> implements SystemTable<V> {
  private readonly tablePrefix: Buffer;
  /**
   * Encoded keys of `getRaw`, which runs on every authenticated request for the same few
   * keys; encoding is deterministic, so the cache can only cost memory (bounded).
   */
  private readonly rawKeys = new Map<string, Buffer>();

  constructor(
    private readonly db: DataDb,
    private readonly gate: WriteGate,
    readonly name: string,
  ) {
    this.tablePrefix = Buffer.concat([Buffer.from(name, 'utf8'), Buffer.of(0xff)]);
  }

  private key(key: string): Buffer {
    const k = Buffer.concat([this.tablePrefix, Buffer.from(key, 'utf8')]);
    if (k.length > MAX_KEY_BYTES) {
      throw new NexusError(
        'INVALID_PARAMETER',
        `System table keys must be at most ${MAX_KEY_BYTES - this.tablePrefix.length} UTF-8 bytes`,
      );
    }
    return k;
  }

  get(key: string): V | undefined {
    const buf = binaryGets(this.db).getBinaryFast(this.key(key));
    return buf === undefined ? undefined : (JSON.parse(buf.toString('utf8')) as V);
  }

  getRaw(key: string): Uint8Array | undefined {
    let k = this.rawKeys.get(key);
    if (k === undefined) {
      k = this.key(key);
      if (this.rawKeys.size >= MAX_CACHED_KEYS) this.rawKeys.clear();
      this.rawKeys.set(key, k);
    }
    const buf = binaryGets(this.db).getBinaryFast(k);
    // lmdb-js reuses one buffer and only overrides its `length`: give a real view of it.
    return buf === undefined ? undefined : buf.subarray(0, buf.length);
  }

  // async so that a failure is a rejected promise, never a synchronous throw.
  async put(key: string, value: V): Promise<void> {
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined)
      throw new NexusError('INVALID_PARAMETER', 'System table values must be JSON-serialisable');
    const k = this.key(key);
    this.gate.run(() => this.db.putSync(k, Buffer.from(json, 'utf8')));
  }

  async remove(key: string): Promise<boolean> {
    const k = this.key(key);
    return this.gate.run(() => this.db.removeSync(k));
  }

  async batch(writes: readonly SystemTableWrite<V>[]): Promise<void> {
    // Encode everything first: a bad value refuses the whole batch before the transaction.
    const prepared = writes.map(({ key, value }) => {
      if (value === undefined) return { key: this.key(key), bytes: undefined };
      const json = JSON.stringify(value) as string | undefined;
      if (json === undefined)
        throw new NexusError('INVALID_PARAMETER', 'System table values must be JSON-serialisable');
      return { key: this.key(key), bytes: Buffer.from(json, 'utf8') };
    });
    this.gate.run(() => {
      for (const { key, bytes } of prepared) {
        if (bytes === undefined) this.db.removeSync(key);
        else this.db.putSync(key, bytes);
      }
    });
  }

  *entries(prefix = ''): Iterable<[string, V]> {
    const start = this.key(prefix);
    const offset = this.tablePrefix.length;
    for (const { key, value } of this.db.getRange({ start, end: prefixEnd(start) })) {
      yield [(key as Buffer).toString('utf8', offset), JSON.parse(value.toString('utf8')) as V];
    }
  }
}
