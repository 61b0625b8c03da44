import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageTracker } from '../../src/cluster/usage-tracker.js';
import type { UsageTrackerOptions } from '../../src/cluster/usage-tracker.js';
import {
  ControlPlaneProtocolError,
  ControlPlaneUnavailableError,
} from '../../src/cluster/control-plane-errors.js';
import type { UsageReport, UsageResponse } from '../../src/cluster/hivehub-schemas.js';
import { NexusError } from '../../src/errors.js';
import { ManualClock, MemorySystemTable, recordingLogger } from './fakes.js';

/** A HiveHub stand-in that counts each report_id once, like the real one. */
function fakeHub() {
  const seen = new Map<string, UsageReport>();
  const calls: string[] = [];
  let failure: Error | null = null;
  return {
    seen,
    calls,
    fail(err: Error | null) {
      failure = err;
    },
    async updateUsage(report: UsageReport): Promise<UsageResponse> {
      calls.push(report.report_id);
      if (failure !== null) throw failure;
      const duplicate = seen.has(report.report_id);
      if (!duplicate) seen.set(report.report_id, structuredClone(report));
      return { accepted: true, report_id: report.report_id, duplicate };
    },
  };
}

function setup(overrides: Partial<UsageTrackerOptions> = {}) {
  const clock = new ManualClock(Date.parse('2026-11-26T10:00:00Z'));
  const hub = fakeHub();
  const outbox = new MemorySystemTable<UsageReport>();
  const logger = recordingLogger();
  let id = 0;
  const storage = new Map<string, number>([['alice', 1234]]);
  const options: UsageTrackerOptions = {
    client: hub,
    outbox,
    instanceId: 'nexus-test',
    intervalSeconds: 60,
    storageBytesOf: (u) => storage.get(u) ?? 0,
    clock,
    logger,
    newId: () => `report-${++id}`,
    ...overrides,
  };
  return { tracker: new UsageTracker(options), clock, hub, outbox, logger, storage, options };
}

const unavailable = () => new ControlPlaneUnavailableError('connection', 'down', 5);

afterEach(() => {
  vi.useRealTimers();
});

describe('UsageTracker aggregation', () => {
  it('aggregates per-tenant deltas and reports them with absolute storage', async () => {
    const { tracker, clock, hub } = setup();
    tracker.record('alice', { requests: 1, readQueries: 1 });
    tracker.record('alice', { requests: 1, writeQueries: 1, nodesCreated: 3, relationshipsCreated: 2 });
    tracker.record('bob', { requests: 1, nodesDeleted: 1, relationshipsDeleted: 4 });
    expect(tracker.current('alice')).toMatchObject({
      requests: 2,
      nodes_created: 3,
      period_start: '2026-11-26T10:00:00.000Z',
    });
    clock.advance(60_000);
    await tracker.flush();
    expect([...hub.seen.values()]).toEqual([
      {
        report_id: 'report-1',
        instance_id: 'nexus-test',
        period_start: '2026-11-26T10:00:00.000Z',
        period_end: '2026-11-26T10:01:00.000Z',
        users: [
          {
            user_id: 'alice',
            requests: 2,
            read_queries: 1,
            write_queries: 1,
            nodes_created: 3,
            relationships_created: 2,
            nodes_deleted: 0,
            relationships_deleted: 0,
            storage_bytes: 1234,
          },
          {
            user_id: 'bob',
            requests: 1,
            read_queries: 0,
            write_queries: 0,
            nodes_created: 0,
            relationships_created: 0,
            nodes_deleted: 1,
            relationships_deleted: 4,
            storage_bytes: 0,
          },
        ],
      },
    ]);
    expect(tracker.current('alice')).toMatchObject({ requests: 0, period_start: '2026-11-26T10:01:00.000Z' });
    expect(tracker.stats()).toMatchObject({ reportsSent: 1, outboxDepth: 0, reportsFailed: 0 });
  });

  it('reports every tenant holding data each interval, idle ones with zero deltas (storage sync)', async () => {
    const tenants: string[] = ['alice', 'carol', 'not a valid id', 'carol'];
    const { tracker, clock, hub, storage } = setup({ tenantsWithData: () => tenants });
    storage.set('carol', 999);
    tracker.record('alice', { requests: 2 });
    clock.advance(60_000);
    await tracker.flush();
    const zero = {
      requests: 0,
      read_queries: 0,
      write_queries: 0,
      nodes_created: 0,
      relationships_created: 0,
      nodes_deleted: 0,
      relationships_deleted: 0,
    };
    expect(hub.seen.get('report-1')?.users).toEqual([
      { user_id: 'alice', ...zero, requests: 2, storage_bytes: 1234 },
      { user_id: 'carol', ...zero, storage_bytes: 999 },
    ]);

    // A fully idle interval still syncs storage; the sizes are read again.
    storage.set('alice', 10);
    clock.advance(60_000);
    await tracker.flush();
    expect(hub.seen.get('report-2')?.users).toEqual([
      { user_id: 'alice', ...zero, storage_bytes: 10 },
      { user_id: 'carol', ...zero, storage_bytes: 999 },
    ]);

    // No tenant holds data and nobody was active: nothing is sent.
    tenants.length = 0;
    clock.advance(60_000);
    await tracker.flush();
    expect(hub.seen.size).toBe(2);
  });

  it('still reports active tenants when the tenant listing fails (async source)', async () => {
    const { tracker, clock, hub, logger } = setup({
      tenantsWithData: () => Promise.reject(new Error('store closed')),
    });
    tracker.record('alice', { requests: 1 });
    clock.advance(60_000);
    await tracker.flush();
    expect(hub.seen.get('report-1')?.users.map((u) => u.user_id)).toEqual(['alice']);
    expect(JSON.stringify(logger.lines)).toContain('cannot list tenants with data');
  });

  it('sends nothing for an idle interval', async () => {
    const { tracker, hub } = setup();
    await tracker.flush();
    expect(hub.calls).toEqual([]);
  });

  it('ignores invalid ids and junk deltas', async () => {
    const { tracker, hub } = setup();
    tracker.record('bad id', { requests: 1 });
    tracker.record('alice', { requests: -5, readQueries: 1.5, writeQueries: Number.NaN, nodesCreated: 2 });
    await tracker.flush();
    const report = [...hub.seen.values()][0];
    expect(report?.users).toHaveLength(1);
    expect(report?.users[0]).toMatchObject({
      requests: 0,
      read_queries: 0,
      write_queries: 0,
      nodes_created: 2,
    });
  });

  it('splits batches of more than 1000 users into several reports', async () => {
    const { tracker, hub } = setup();
    for (let i = 0; i < 2500; i++) tracker.record(`user-${i}`, { requests: 1 });
    await tracker.flush();
    const reports = [...hub.seen.values()];
    expect(reports.map((r) => r.users.length)).toEqual([1000, 1000, 500]);
    expect(new Set(reports.map((r) => r.report_id)).size).toBe(3);
    expect(reports.flatMap((r) => r.users).reduce((n, u) => n + u.requests, 0)).toBe(2500);
  });

  it('honours a smaller report size', async () => {
    const { tracker, hub } = setup({ maxUsersPerReport: 2 });
    for (const u of ['a', 'b', 'c']) tracker.record(u, { requests: 1 });
    await tracker.flush();
    expect([...hub.seen.values()].map((r) => r.users.length)).toEqual([2, 1]);
  });

  it('reports the last known storage (or 0) when measuring fails, and sanitises odd sizes', async () => {
    let broken = false;
    const { tracker, hub, logger } = setup({
      storageBytesOf: (u) => {
        if (broken) throw new Error('namespace gone');
        return u === 'weird' ? -3 : 500;
      },
    });
    tracker.record('alice', { requests: 1 });
    tracker.record('weird', { requests: 1 });
    await tracker.flush();
    broken = true;
    tracker.record('alice', { requests: 1 });
    tracker.record('new', { requests: 1 });
    await tracker.flush();
    const reports = [...hub.seen.values()];
    expect(reports[0]?.users.map((u) => u.storage_bytes)).toEqual([500, 0]);
    expect(reports[1]?.users.map((u) => u.storage_bytes)).toEqual([500, 0]);
    expect(logger.lines.some((l) => l.msg?.includes('last known size'))).toBe(true);
  });
});

describe('UsageTracker outbox', () => {
  it('writes the report to the outbox before sending and removes it only once accepted', async () => {
    const { tracker, hub, outbox } = setup();
    const seenInOutbox: number[] = [];
    const original = hub.updateUsage.bind(hub);
    hub.updateUsage = async (report) => {
      seenInOutbox.push([...outbox.entries()].filter(([, r]) => r.report_id === report.report_id).length);
      return original(report);
    };
    tracker.record('alice', { requests: 1 });
    await tracker.flush();
    expect(seenInOutbox).toEqual([1]);
    expect(outbox.map.size).toBe(0);
  });

  it('keeps reports across failures and delivers them later with the same report_id', async () => {
    const { tracker, hub, outbox, clock } = setup();
    hub.fail(unavailable());
    tracker.record('alice', { requests: 3 });
    await tracker.flush();
    clock.advance(60_000);
    tracker.record('alice', { requests: 4 });
    await tracker.flush();
    expect(outbox.map.size).toBe(2);
    // oldest first, and a pass stops at the first failure: report-2 was never attempted
    expect(hub.calls).toEqual(['report-1', 'report-1']);
    expect(tracker.stats()).toMatchObject({ outboxDepth: 2, reportsFailed: 2, lastError: 'down' });
    hub.fail(null);
    await tracker.deliverPending();
    expect(hub.calls.slice(2)).toEqual(['report-1', 'report-2']);
    expect(outbox.map.size).toBe(0);
    expect([...hub.seen.values()].reduce((n, r) => n + (r.users[0]?.requests ?? 0), 0)).toBe(7);
  });

  it('re-sends the outbox on startup with the original ids (restart)', async () => {
    const first = setup();
    first.hub.fail(unavailable());
    first.tracker.record('alice', { requests: 9 });
    await first.tracker.flush();
    expect(first.outbox.map.size).toBe(1);

    // a new process with the same durable outbox
    const hub = fakeHub();
    const restarted = new UsageTracker({ ...first.options, client: hub, newId: () => 'fresh-id' });
    await restarted.start();
    await restarted.stop();
    expect(hub.calls).toEqual(['report-1']);
    expect(first.outbox.map.size).toBe(0);
  });

  it('counts a duplicate answer as delivered (response lost, report resent)', async () => {
    const { tracker, hub, outbox } = setup();
    tracker.record('alice', { requests: 1 });
    await tracker.closePeriod();
    const [[, report]] = [...outbox.entries()] as [[string, UsageReport]];
    await hub.updateUsage(report); // delivered earlier, answer never arrived
    await tracker.deliverPending();
    expect(outbox.map.size).toBe(0);
    expect(hub.seen.size).toBe(1);
    expect(tracker.stats()).toMatchObject({ duplicatesAcknowledged: 1, reportsSent: 1 });
  });

  it('skips a report HiveHub refuses as malformed without blocking the rest', async () => {
    const { tracker, hub, outbox, logger } = setup();
    const original = hub.updateUsage.bind(hub);
    hub.updateUsage = async (report) => {
      if (report.report_id === 'report-1') throw new ControlPlaneProtocolError('bad report', 400);
      return original(report);
    };
    tracker.record('alice', { requests: 1 });
    await tracker.closePeriod();
    tracker.record('bob', { requests: 1 });
    await tracker.flush();
    expect([...hub.seen.keys()]).toEqual(['report-2']);
    expect([...outbox.map.values()].map((r) => r.report_id)).toEqual(['report-1']);
    expect(logger.lines.some((l) => l.level === 'error')).toBe(true);
  });

  it('keeps a report HiveHub does not accept', async () => {
    const { tracker, hub, outbox } = setup();
    hub.updateUsage = async (report) => ({ accepted: false, report_id: report.report_id, duplicate: false });
    tracker.record('alice', { requests: 1 });
    await tracker.flush();
    expect(outbox.map.size).toBe(1);
    expect(tracker.stats().reportsFailed).toBe(1);
  });

  it('skips a report the client refuses as invalid', async () => {
    const { tracker, hub, outbox } = setup();
    hub.updateUsage = async () => {
      throw new NexusError('INVALID_PARAMETER', 'invalid usage report');
    };
    tracker.record('alice', { requests: 1 });
    await tracker.flush();
    expect(outbox.map.size).toBe(1);
  });

  it('folds counts back into memory when the outbox cannot be written', async () => {
    const { tracker, hub, outbox } = setup();
    outbox.failPuts = true;
    tracker.record('alice', { requests: 2, nodesCreated: 1 });
    expect(await tracker.closePeriod()).toBe(0);
    expect(hub.calls).toEqual([]);
    expect(tracker.current('alice')).toMatchObject({ requests: 2, nodes_created: 1 });
    expect(tracker.stats().lastError).toContain('disk full');
    outbox.failPuts = false;
    await tracker.flush();
    expect([...hub.seen.values()][0]?.users[0]).toMatchObject({ requests: 2, nodes_created: 1 });
  });

  it('never sends one report twice concurrently', async () => {
    const { tracker, hub } = setup();
    let inFlight = 0;
    let maxInFlight = 0;
    const original = hub.updateUsage.bind(hub);
    hub.updateUsage = async (report) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      return original(report);
    };
    tracker.record('alice', { requests: 1 });
    await tracker.closePeriod();
    await Promise.all([tracker.deliverPending(), tracker.deliverPending(), tracker.deliverPending()]);
    expect(maxInFlight).toBe(1);
    expect(hub.calls).toEqual(['report-1']);
  });

  it('logs instead of crashing when a timed report fails', async () => {
    vi.useFakeTimers();
    const { tracker, outbox, logger, hub } = setup({ intervalSeconds: 1 });
    await tracker.start();
    const entries = outbox.entries.bind(outbox);
    outbox.entries = () => {
      throw new Error('outbox unreadable');
    };
    tracker.record('alice', { requests: 1 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(logger.lines.some((l) => l.level === 'error' && l.obj.error === 'outbox unreadable')).toBe(true);
    // the report is safe in the outbox and goes out once the outbox is readable again
    outbox.entries = entries;
    await tracker.stop();
    expect(hub.calls).toEqual(['report-1']);
  });

  it('reports on a timer every interval', async () => {
    vi.useFakeTimers();
    const { tracker, hub } = setup({ intervalSeconds: 1 });
    await tracker.start();
    tracker.record('alice', { requests: 1 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(hub.calls).toEqual(['report-1']);
    await tracker.start(); // idempotent
    tracker.record('alice', { requests: 1 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(hub.calls).toEqual(['report-1', 'report-2']);
    await tracker.stop();
    tracker.record('alice', { requests: 1 });
    await vi.advanceTimersByTimeAsync(5000);
    expect(hub.calls).toHaveLength(2);
  });
});
