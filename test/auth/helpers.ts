// Test helpers for the auth tests: contexts, a controllable clock and a fresh key service.
import { ApiKeyService, MemorySystemTable, effectivePermissions } from '../../src/auth/index.js';
import type { AuthTableEntry, Permission, UserContext } from '../../src/auth/index.js';

export function ctx(
  permissions: Permission[],
  opts: { userId?: string | null; allowedFunctions?: string[] | null; keyId?: string } = {},
): UserContext {
  const userId = opts.userId ?? null;
  return {
    userId,
    namespace: userId === null ? 'default' : `tenant:${userId}`,
    permissions: effectivePermissions(permissions),
    allowedFunctions: opts.allowedFunctions ?? null,
    keyId: opts.keyId ?? 'test',
    isRoot: false,
  };
}

export const SUPER = ctx(['SUPER']);

export class TestClock {
  constructor(public now = Date.parse('2026-01-01T00:00:00.000Z')) {}
  readonly fn = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

export function makeService(clusterMode = false, clock = new TestClock()) {
  const table = new MemorySystemTable<AuthTableEntry>();
  const service = new ApiKeyService(table, { clusterMode, clock: clock.fn });
  return { table, service, clock };
}

/** A table whose writes become visible only when `commitAll()` runs, like an async LMDB batch. */
export class DeferredTable<V> extends MemorySystemTable<V> {
  private queue: (() => void)[] = [];

  override put(key: string, value: V): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push(() => {
        void super.put(key, value).then(resolve);
      });
    });
  }

  commitAll(): void {
    const q = this.queue;
    this.queue = [];
    for (const f of q) f();
  }
}
