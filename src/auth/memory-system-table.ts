/**
 * An in-memory `SystemTable`, for tests and for running auth without a store. Values are
 * copied through JSON like a persistent table would, so callers cannot alias stored state.
 */
import type { SystemTable } from '../storage/types.js';

export class MemorySystemTable<V> implements SystemTable<V> {
  private readonly data = new Map<string, string>();

  get(key: string): V | undefined {
    const raw = this.data.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as V);
  }

  async put(key: string, value: V): Promise<void> {
    this.data.set(key, JSON.stringify(value));
  }

  async remove(key: string): Promise<boolean> {
    return this.data.delete(key);
  }

  *entries(prefix = ''): Iterable<[string, V]> {
    const keys = [...this.data.keys()].filter((k) => k.startsWith(prefix)).sort();
    for (const k of keys) {
      const v = this.get(k);
      if (v !== undefined) yield [k, v];
    }
  }

  get size(): number {
    return this.data.size;
  }
}
