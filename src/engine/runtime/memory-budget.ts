/**
 * Per-query memory budget. The row cap (`maxIntermediateRows`) counts rows, but one row
 * can hold a 10-million-element list or a 500 MB string, and Node's heap is shared by every
 * tenant of the process: a single query that exhausts it kills them all. The budget counts
 * estimated bytes where large values are built (range(), list `+`, comprehensions) and
 * where rows are held (result, ORDER BY, DISTINCT, aggregation groups, collect()), and
 * throws QUERY_MEMORY_LIMIT before the allocation happens whenever possible.
 *
 * Estimates are deliberately simple (V8 object layouts vary): what matters is that
 * they grow with the real size and are cheap to compute for scalars.
 */
import { getHeapStatistics } from 'node:v8';
import { NexusError } from '../../errors.js';
import { Node, Path, Relationship, type Value } from '../values.js';

/** Default per-query budget: 256 MiB. */
export const DEFAULT_MAX_QUERY_MEMORY_BYTES = 256 * 1024 * 1024;

/** A list slot (pointer) plus a boxed number or bigint. */
export const LIST_ELEMENT_BYTES = 32;
const SCALAR_BYTES = 24;
const ENTITY_BYTES = 96;
const CONTAINER_BYTES = 32;

/** Estimated heap size of a value, deep (shared sub-values are counted each time). */
export function valueBytes(v: Value): number {
  if (v === null || typeof v !== 'object') {
    return typeof v === 'string' ? SCALAR_BYTES + v.length : SCALAR_BYTES;
  }
  if (Array.isArray(v)) {
    let n = CONTAINER_BYTES + 8 * v.length;
    for (const x of v as readonly Value[]) {
      n +=
        x === null || typeof x !== 'object'
          ? typeof x === 'string'
            ? SCALAR_BYTES + x.length
            : SCALAR_BYTES
          : valueBytes(x);
    }
    return n;
  }
  if (v instanceof Map) {
    let n = CONTAINER_BYTES;
    for (const [k, x] of v as ReadonlyMap<string, Value>) n += 40 + k.length + valueBytes(x);
    return n;
  }
  // A stub's properties map is empty: only entities read in full count their properties.
  if (v instanceof Node || v instanceof Relationship) return ENTITY_BYTES + propertiesBytes(v.properties);
  if (v instanceof Path) return CONTAINER_BYTES + ENTITY_BYTES * (v.nodes.length + v.relationships.length);
  // Temporal values and other small objects.
  return CONTAINER_BYTES;
}

/** Estimated size of an entity's property map. */
export function propertiesBytes(props: ReadonlyMap<string, Value>): number {
  let n = 0;
  for (const [k, x] of props) n += 40 + k.length + valueBytes(x);
  return n;
}

/** Estimated size of an executor row (variable name → value). */
export function recordBytes(row: Readonly<Record<string, Value>>): number {
  let n = CONTAINER_BYTES;
  for (const k in row) n += 8 + valueBytes(row[k]!);
  return n;
}

/** Estimated size of the values of a row or result record. */
export function rowBytes(values: Iterable<Value>): number {
  let n = CONTAINER_BYTES;
  for (const v of values)
    n +=
      v === null || typeof v !== 'object'
        ? typeof v === 'string'
          ? SCALAR_BYTES + v.length
          : SCALAR_BYTES
        : valueBytes(v);
  return n;
}

/**
 * Process-wide last line of defence: above this share of V8's heap limit, a query asking
 * for more gets QUERY_MEMORY_LIMIT. The per-query budget cannot see everything — values a
 * query built and no longer accounts for (`WITH range(…) AS a, range(…) AS b, …` holds every
 * list, each checked alone), or many concurrent queries each within its own budget — and
 * at the heap limit the process dies for every tenant.
 */
export const HEAP_HIGH_WATER = 0.8;
const MiB = 1024 * 1024;

/** Throws QUERY_MEMORY_LIMIT when `bytes` more would take the heap above the high-water mark. */
export function checkHeap(bytes: number): void {
  const heap = getHeapStatistics();
  if (heap.used_heap_size + bytes > heap.heap_size_limit * HEAP_HIGH_WATER) {
    throw new NexusError(
      'QUERY_MEMORY_LIMIT',
      `The server is short of memory (heap ${mib(heap.used_heap_size)} of ${mib(heap.heap_size_limit)} MiB): ` +
        `the query cannot build another ${mib(bytes)} MiB; retry later or build smaller values`,
    );
  }
}

export class MemoryBudget {
  private held = 0;
  /** Bytes of large checks since the heap statistics were last read. */
  private unchecked = 0;

  /** `limit` in bytes; 0 or less disables the budget. */
  constructor(readonly limit: number) {}

  /** Bytes currently accounted as held by the query. */
  get used(): number {
    return this.held;
  }

  /** Throws unless a value of `bytes` can be built on top of what the query holds. */
  check(bytes: number): void {
    if (this.limit > 0 && this.held + bytes > this.limit) this.fail(this.held + bytes);
    // Read the heap statistics (~1 µs) once per 16 MiB of large values asked for.
    if (bytes >= MiB) {
      this.unchecked += bytes;
      if (this.unchecked >= 16 * MiB) {
        this.unchecked = 0;
        checkHeap(bytes);
      }
    }
  }

  /** Accounts `bytes` as held until `release`. */
  charge(bytes: number): void {
    const before = this.held;
    this.held += bytes;
    if (this.limit > 0 && this.held > this.limit) {
      const total = this.held;
      this.held -= bytes;
      this.fail(total);
    }
    // Read the heap each time what the query holds grows past another MiB.
    if (Math.floor(this.held / MiB) !== Math.floor(before / MiB)) {
      try {
        checkHeap(0);
      } catch (err) {
        this.held -= bytes;
        throw err;
      }
    }
  }

  release(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }

  private fail(bytes: number): never {
    throw new NexusError(
      'QUERY_MEMORY_LIMIT',
      `The query would use about ${mib(bytes)} MiB of memory, more than its budget of ${mib(this.limit)} MiB; ` +
        'add a LIMIT, aggregate earlier or build smaller lists and strings',
    );
  }
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0);
}

/**
 * Engine failures that are really resource exhaustion (V8's `Invalid string length`,
 * `Invalid array length`, `Maximum call stack size exceeded`) become client errors
 * instead of a 500: a query caused them, and the process is intact after unwinding.
 */
export function asResourceError(err: unknown): unknown {
  if (!(err instanceof RangeError)) return err;
  if (/call stack/i.test(err.message)) {
    return new NexusError(
      'QUERY_MEMORY_LIMIT',
      'The query nests too deeply to evaluate (stack depth exceeded)',
    );
  }
  if (/invalid (string|array|typed array) length|allocation failed|out of memory/i.test(err.message)) {
    return new NexusError(
      'QUERY_MEMORY_LIMIT',
      `The query built a value or a result larger than the server supports (${err.message})`,
    );
  }
  return err;
}
