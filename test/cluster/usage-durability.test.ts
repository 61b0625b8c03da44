/**
 * The open interval's usage counters survive a hard kill: they are persisted as a draft
 * on a timer, a closed interval's reports replace its draft atomically, and a restart
 * folds leftover drafts into a new report. A "crash" here is dropping the tracker and
 * building a new one on the same outbox, at any point between two durable writes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemorySystemTable as PlainTable } from '../../src/auth/index.js';
import { DRAFT_PREFIX, UsageTracker } from '../../src/cluster/usage-tracker.js';
import type { UsageTrackerOptions } from '../../src/cluster/usage-tracker.js';
import { ControlPlaneUnavailableError } from '../../src/cluster/control-plane-errors.js';
import type { UsageReport, UsageResponse } from '../../src/cluster/hivehub-schemas.js';
import { ManualClock, MemorySystemTable, recordingLogger } from './fakes.js';

function fakeHub() {
  const seen = new Map<string, UsageReport>();
  let down = false;
  return {
    seen,
    setDown(value: boolean) {
      down = value;
    },
    async updateUsage(report: UsageReport): Promise<UsageResponse> {
      if (down) throw new ControlPlaneUnavailableError('connection', 'down', 1);
      const duplicate = seen.has(report.report_id);
      if (!duplicate) seen.set(report.report_id, structuredClone(report));
      return { accepted: true, report_id: report.report_id, duplicate };
    },
    /** Requests HiveHub counted for a user (each report_id once). */
    requests(userId: string): number {
      let n = 0;
      for (const r of seen.values()) for (const u of r.users) if (u.user_id === userId) n += u.requests;
      return n;
    },
  };
}

type Hub = ReturnType<typeof fakeHub>;

let ids = 0;
function tracker(hub: Hub, outbox: UsageTrackerOptions['outbox'], extra: Partial<UsageTrackerOptions> = {}) {
  const logger = recordingLogger();
  const t = new UsageTracker({
    client: hub,
    outbox,
    instanceId: 'nexus-test',
    intervalSeconds: 3600,
    storageBytesOf: () => 10,
    clock: new ManualClock(),
    logger,
    newId: () => `report-${++ids}`,
    ...extra,
  });
  return Object.assign(t, { log: logger });
}

const drafts = (outbox: MemorySystemTable<UsageReport>) =>
  [...outbox.entries(DRAFT_PREFIX)].map(([, d]) => d);
const draftRequests = (outbox: MemorySystemTable<UsageReport>, userId: string) =>
  drafts(outbox)
    .flatMap((d) => d.users)
    .filter((u) => u.user_id === userId)
    .reduce((n, u) => n + u.requests, 0);
const outboxRequests = (outbox: MemorySystemTable<UsageReport>, hub: Hub, userId: string) =>
  [...outbox.entries()]
    .filter(([k, r]) => !k.startsWith(DRAFT_PREFIX) && !hub.seen.has(r.report_id))
    .flatMap(([, r]) => r.users)
    .filter((u) => u.user_id === userId)
    .reduce((n, u) => n + u.requests, 0);

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  vi.useRealTimers();
});

describe('UsageTracker durable counters', () => {
  it('persists the open interval as a draft, only when something changed', async () => {
    const hub = fakeHub();
    const outbox = new MemorySystemTable<UsageReport>();
    const t = tracker(hub, outbox, { runId: 'run-a' });
    await t.persistCounters();
    expect(outbox.batches).toBe(0);
    t.record('alice', { requests: 3, writeQueries: 1, nodesCreated: 2 });
    await t.persistCounters();
    await t.persistCounters();
    expect(outbox.batches).toBe(1);
    expect([...outbox.map.keys()]).toEqual([`${DRAFT_PREFIX}run-a#00000000`]);
    expect(drafts(outbox)[0]?.users).toEqual([
      expect.objectContaining({ user_id: 'alice', requests: 3, write_queries: 1, nodes_created: 2 }),
    ]);
    // A draft is not a report: not counted as outbox depth, never sent.
    expect(t.outboxDepth()).toBe(0);
    await t.deliverPending();
    expect(hub.seen.size).toBe(0);
    // Closing the interval turns the draft into a report in the same write.
    expect(await t.closePeriod()).toBe(1);
    expect(drafts(outbox)).toEqual([]);
    expect(outbox.batches).toBe(2);
    await t.deliverPending();
    expect(hub.requests('alice')).toBe(3);
  });

  it('a restart folds the killed run’s draft into a new report, exactly once', async () => {
    const hub = fakeHub();
    const outbox = new MemorySystemTable<UsageReport>();
    const first = tracker(hub, outbox);
    for (let i = 0; i < 7; i++) first.record('alice', { requests: 1 });
    await first.persistCounters();
    first.record('alice', { requests: 1 }); // after the last flush: the documented loss window
    // SIGKILL: `first` is dropped without stop().
    const second = tracker(hub, outbox);
    await second.start();
    expect(second.current('alice').requests).toBe(7);
    expect(second.log.lines.some((l) => l.msg?.includes('folded'))).toBe(true);
    // The merge is persisted at once, under the new run's draft, the old one deleted with it.
    await vi.waitFor(() => expect(outbox.batches).toBe(2));
    expect(drafts(outbox)).toHaveLength(1);
    expect(draftRequests(outbox, 'alice')).toBe(7);
    // A second kill before the next report still loses nothing.
    const third = tracker(hub, outbox);
    await third.start();
    third.record('alice', { requests: 2 });
    await third.stop();
    expect(hub.requests('alice')).toBe(9);
    expect(hub.seen.size).toBe(1);
    expect(outbox.map.size).toBe(0);
  });

  it('an undelivered report keeps its id while the draft goes out under a new one', async () => {
    const hub = fakeHub();
    const outbox = new MemorySystemTable<UsageReport>();
    const first = tracker(hub, outbox);
    hub.setDown(true);
    first.record('alice', { requests: 5 });
    await first.persistCounters();
    await first.flush(); // report in the outbox, draft gone, HiveHub unreachable
    const [[, pending]] = [...outbox.entries()] as [[string, UsageReport]];
    first.record('alice', { requests: 4 });
    await first.persistCounters();
    // killed; HiveHub comes back
    hub.setDown(false);
    const second = tracker(hub, outbox);
    await second.start();
    expect(hub.seen.has(pending.report_id)).toBe(true);
    await second.stop();
    expect(hub.requests('alice')).toBe(9);
    expect(hub.seen.size).toBe(2);
    expect([...hub.seen.keys()].filter((id) => id === pending.report_id)).toHaveLength(1);
  });

  it('keeps the counts when the report cannot be written, and moves the old draft with them', async () => {
    const hub = fakeHub();
    const outbox = new MemorySystemTable<UsageReport>();
    const t = tracker(hub, outbox);
    t.record('alice', { requests: 2 });
    await t.persistCounters();
    outbox.failBatch = true;
    expect(await t.closePeriod()).toBe(0);
    expect(t.stats().lastError).toContain('disk full');
    // Still durable in the old draft, and in memory for the next report.
    expect(draftRequests(outbox, 'alice')).toBe(2);
    expect(t.current('alice').requests).toBe(2);
    // Persisting fails too: the counts stay pending for the next tick.
    t.record('alice', { requests: 1 });
    await expect(t.persistCounters()).rejects.toThrow('disk full');
    expect(t.stats().lastError).toContain('cannot persist usage counters');
    outbox.failBatch = false;
    await t.persistCounters();
    // One draft holds all three: the old one was deleted in the same write.
    expect(drafts(outbox)).toHaveLength(1);
    expect(draftRequests(outbox, 'alice')).toBe(3);
    // Killed now: a restart reports exactly 3.
    const next = tracker(hub, outbox);
    await next.start();
    await next.stop();
    expect(hub.requests('alice')).toBe(3);
  });

  it('deletes leftover drafts of an empty interval with the next persisted draft', async () => {
    const hub = fakeHub();
    const outbox = new MemorySystemTable<UsageReport>();
    await outbox.put(`${DRAFT_PREFIX}old#00000000`, {
      report_id: '',
      instance_id: 'nexus-test',
      period_start: '2026-11-26T09:00:00Z',
      period_end: '2026-11-26T09:00:01Z',
      users: [],
    });
    const t = tracker(hub, outbox);
    await t.start();
    await vi.waitFor(() => expect(outbox.map.size).toBe(0));
    expect(await t.closePeriod()).toBe(0);
    await t.stop();
    expect(hub.seen.size).toBe(0);
  });

  it('an interval closing while its draft is being written loses and doubles nothing', async () => {
    const hub = fakeHub();
    const outbox = new MemorySystemTable<UsageReport>();
    const t = tracker(hub, outbox);
    const batch = outbox.batch.bind(outbox);
    let release: () => void = () => undefined;
    let slow = true;
    outbox.batch = async (writes) => {
      if (slow) {
        slow = false;
        await new Promise<void>((r) => (release = r));
      }
      return batch(writes);
    };
    t.record('alice', { requests: 1 });
    const persisting = t.persistCounters();
    await tick(); // the draft write is under way
    const closing = t.closePeriod();
    t.record('alice', { requests: 1 }); // next interval
    await tick();
    release();
    await persisting;
    expect(await closing).toBe(1);
    await t.persistCounters();
    expect(draftRequests(outbox, 'alice')).toBe(1);
    expect(outboxRequests(outbox, hub, 'alice')).toBe(1);
  });

  it('a failed draft write after the interval closed is not retried for the new interval', async () => {
    const hub = fakeHub();
    const outbox = new MemorySystemTable<UsageReport>();
    const t = tracker(hub, outbox);
    const batch = outbox.batch.bind(outbox);
    let calls = 0;
    outbox.batch = async (writes) => {
      calls += 1;
      if (calls === 1) {
        await new Promise((r) => setTimeout(r, 5));
        throw new Error('io error');
      }
      return batch(writes);
    };
    t.record('alice', { requests: 1 });
    const persisting = t.persistCounters();
    await tick(); // the draft write is under way
    const closing = t.closePeriod();
    await expect(persisting).rejects.toThrow('io error');
    expect(await closing).toBe(1);
    // The new interval is empty: nothing to persist.
    await t.persistCounters();
    expect(calls).toBe(2);
    expect(outbox.map.size).toBe(1);
  });

  it('persists on the flush timer and stops it on stop()', async () => {
    vi.useFakeTimers();
    const hub = fakeHub();
    const outbox = new MemorySystemTable<UsageReport>();
    const t = tracker(hub, outbox, { flushIntervalMs: 100 });
    await t.start();
    t.record('alice', { requests: 1 });
    await vi.advanceTimersByTimeAsync(99);
    expect(drafts(outbox)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(draftRequests(outbox, 'alice')).toBe(1);
    // A failing tick is logged and retried on the next one.
    outbox.failBatch = true;
    t.record('alice', { requests: 1 });
    await vi.advanceTimersByTimeAsync(100);
    expect(t.log.lines.some((l) => l.msg === 'usage counters not persisted')).toBe(true);
    outbox.failBatch = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(draftRequests(outbox, 'alice')).toBe(2);
    await t.stop();
    const batches = outbox.batches;
    t.record('alice', { requests: 1 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(outbox.batches).toBe(batches);
    expect(hub.requests('alice')).toBe(2);
  });

  it('flushIntervalMs 0 keeps counters in memory until the interval closes', async () => {
    vi.useFakeTimers();
    const hub = fakeHub();
    const outbox = new MemorySystemTable<UsageReport>();
    const t = tracker(hub, outbox, { flushIntervalMs: 0 });
    await t.start();
    t.record('alice', { requests: 1 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(outbox.map.size).toBe(0);
    await t.stop();
    expect(hub.requests('alice')).toBe(1);
  });

  it('an outbox without atomic batches gets no drafts (reports only, as before)', async () => {
    vi.useFakeTimers();
    const hub = fakeHub();
    const outbox = new PlainTable<UsageReport>();
    const t = tracker(hub, outbox);
    await t.start();
    t.record('alice', { requests: 2 });
    await vi.advanceTimersByTimeAsync(5000);
    await t.persistCounters();
    expect(outbox.size).toBe(0);
    hub.setDown(true);
    expect(await t.closePeriod()).toBe(1);
    expect(outbox.size).toBe(1);
    hub.setDown(false);
    await t.stop();
    expect(hub.requests('alice')).toBe(2);
  });

  it('without batches, a report that cannot be written stays in memory for the next interval', async () => {
    const hub = fakeHub();
    let fail = true;
    class FlakyTable extends PlainTable<UsageReport> {
      override async put(key: string, value: UsageReport): Promise<void> {
        if (fail) throw new Error('disk full');
        return super.put(key, value);
      }
    }
    const outbox = new FlakyTable();
    const t = tracker(hub, outbox);
    t.record('alice', { requests: 3 });
    expect(await t.closePeriod()).toBe(0);
    expect(t.current('alice').requests).toBe(3);
    fail = false;
    await t.flush();
    expect(hub.requests('alice')).toBe(3);
  });

  it('logs unreadable drafts at startup and still starts', async () => {
    const hub = fakeHub();
    const outbox = new MemorySystemTable<UsageReport>();
    const entries = outbox.entries.bind(outbox);
    outbox.entries = (prefix) => {
      if (prefix === DRAFT_PREFIX) throw new Error('bad page');
      return entries(prefix);
    };
    const t = tracker(hub, outbox);
    await t.start();
    expect(t.stats().lastError).toContain('bad page');
    expect(t.log.lines.some((l) => l.msg === 'usage counters not recovered')).toBe(true);
    t.record('alice', { requests: 1 });
    await t.stop();
    expect(hub.requests('alice')).toBe(1);
  });

  it('random crashes, outages and flushes never lose a persisted count nor count one twice', async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 20; round++) {
      const hub = fakeHub();
      const outbox = new MemorySystemTable<UsageReport>();
      let t = tracker(hub, outbox);
      await t.start();
      let durable = 0; // requests that reached a draft, the outbox or HiveHub
      let inMemory = 0; // recorded since the last persisted state
      const durableNow = () =>
        hub.requests('alice') + outboxRequests(outbox, hub, 'alice') + draftRequests(outbox, 'alice');
      for (let step = 0; step < 60; step++) {
        const r = random();
        if (r < 0.4) {
          const n = 1 + Math.floor(random() * 3);
          t.record('alice', { requests: n });
          inMemory += n;
        } else if (r < 0.55) {
          await t.persistCounters().catch(() => undefined);
        } else if (r < 0.7) {
          await t.flush();
        } else if (r < 0.8) {
          hub.setDown(random() < 0.5);
        } else if (r < 0.9) {
          // SIGKILL: whatever was not durable is lost, nothing else.
          inMemory = 0;
          t = tracker(hub, outbox);
          await t.start();
          await new Promise((resolve) => setTimeout(resolve, 0));
        } else {
          outbox.failBatch = random() < 0.3;
        }
        const now = durableNow();
        // Never more than was recorded (no double count), never less than was made durable.
        expect(now).toBeGreaterThanOrEqual(durable);
        expect(now).toBeLessThanOrEqual(durable + inMemory);
        inMemory -= now - durable;
        durable = now;
      }
      outbox.failBatch = false;
      hub.setDown(false);
      await t.stop();
      expect(hub.requests('alice')).toBe(durable + inMemory);
      expect(outbox.map.size).toBe(0);
    }
  });
});
