/**
 * Aggregates each tenant's usage per report interval and delivers it to HiveHub without
 * ever losing or double-counting it: a closed interval becomes one or more reports (≤1000
 * users each) written to a durable outbox BEFORE sending; an entry leaves the outbox only
 * once HiveHub accepted it (a duplicate answer counts), and retries — including after a
 * restart — resend the stored report with its original report_id. A report HiveHub calls
 * malformed (400) is not retried: it is parked under `refused:` in the same table.
 *
 * The open interval's counters are persisted too, as a draft in the same table, every
 * `flushIntervalMs` (one synced commit per tick, never one per request). Closing the
 * interval writes its reports and deletes its draft in ONE transaction, so a crash at any
 * point leaves the counts either in the draft or in the outbox, never both and never
 * neither. At startup, drafts a previous process left are folded into the open interval
 * (and so into a report with a new report_id: they were never sent) and deleted in the
 * same transaction that persists the merged counters.
 */
import { randomUUID } from 'node:crypto';
import { NexusError } from '../errors.js';
import type { SystemTable, SystemTableWrite } from '../storage/types.js';
import { describeError, silentLogger, systemClock } from './cluster-logger.js';
import type { Clock, ClusterLogger } from './cluster-logger.js';
import {
  ControlPlaneAuthError,
  ControlPlaneProtocolError,
  ControlPlaneUnavailableError,
} from './control-plane-errors.js';
import type { HiveHubClient } from './hivehub-client.js';
import { MAX_USERS_PER_REPORT } from './hivehub-schemas.js';
import { isValidUserId } from './namespace.js';
import type { UsageReport, UsageUser } from './hivehub-schemas.js';
import type { UsageEvent } from './types.js';

export type StorageBytesOf = (userId: string) => number | Promise<number>;
/** User ids of every tenant that holds data now (from the store's namespaces). */
export type TenantsWithData = () => Iterable<string> | Promise<Iterable<string>>;

export interface UsageTrackerOptions {
  client: Pick<HiveHubClient, 'updateUsage'>;
  /** Durable store of reports not yet accepted by HiveHub (`GraphStore.systemTable('usage_outbox')`). */
  outbox: SystemTable<UsageReport>;
  instanceId: string;
  intervalSeconds: number;
  /** Absolute storage of a tenant now. */
  storageBytesOf: StorageBytesOf;
  /**
   * Tenants to report every interval even without requests (zero deltas, absolute
   * storage_bytes): the periodic storage sync. Without it only active tenants are reported.
   */
  tenantsWithData?: TenantsWithData;
  clock?: Clock;
  logger?: ClusterLogger;
  newId?: () => string;
  maxUsersPerReport?: number;
  /**
   * How often the open interval's counters are persisted (ms); 0 disables it. Needs an
   * outbox with `batch` (atomic writes); without one only closed intervals are durable.
   */
  flushIntervalMs?: number;
  /** Names this process's drafts (default: a random UUID). */
  runId?: string;
}

export type UsageCounters = Omit<UsageUser, 'user_id' | 'storage_bytes'>;

export interface UsageTrackerStats {
  readonly outboxDepth: number;
  readonly reportsSent: number;
  readonly reportsFailed: number;
  readonly duplicatesAcknowledged: number;
  readonly lastError: string | null;
  readonly lastDeliveredAt: number | null;
  readonly periodStart: number;
  readonly activeTenants: number;
}

const emptyCounters = (): UsageCounters => ({
  requests: 0,
  read_queries: 0,
  write_queries: 0,
  nodes_created: 0,
  relationships_created: 0,
  nodes_deleted: 0,
  relationships_deleted: 0,
});

/**
 * Key prefix of open-interval drafts in the outbox table. Report keys start with the ISO
 * period end (a digit), so drafts never mix with them in key order.
 */
export const DRAFT_PREFIX = 'draft:';

/**
 * Key prefix of reports HiveHub refused as malformed (400 BAD_REQUEST, or the client's own
 * check): the contract says such a request must not be retried, so they are parked here,
 * kept for inspection but never re-sent.
 */
export const REFUSED_PREFIX = 'refused:';

/** A report waiting for delivery (not a draft, not a parked refusal). */
const isPendingKey = (key: string): boolean =>
  !key.startsWith(DRAFT_PREFIX) && !key.startsWith(REFUSED_PREFIX);

const isMalformedReport = (err: unknown): boolean =>
  (err instanceof ControlPlaneProtocolError && err.status === 400) ||
  (err instanceof NexusError && err.code === 'INVALID_PARAMETER');

const EVENT_FIELDS: readonly [keyof UsageEvent, keyof UsageCounters][] = [
  ['requests', 'requests'],
  ['readQueries', 'read_queries'],
  ['writeQueries', 'write_queries'],
  ['nodesCreated', 'nodes_created'],
  ['relationshipsCreated', 'relationships_created'],
  ['nodesDeleted', 'nodes_deleted'],
  ['relationshipsDeleted', 'relationships_deleted'],
];

export class UsageTracker {
  private readonly options: UsageTrackerOptions;
  private readonly clock: Clock;
  private readonly logger: ClusterLogger;
  private readonly newId: () => string;
  private readonly maxUsers: number;
  private counters = new Map<string, UsageCounters>();
  private periodStart: number;
  private lastStorage = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private delivering: Promise<void> | null = null;
  private deliverAgain = false;
  private sequence = 0;
  private reportsSent = 0;
  private reportsFailed = 0;
  private duplicates = 0;
  private lastError: string | null = null;
  private lastDeliveredAt: number | null = null;
  private readonly runId: string;
  private readonly flushIntervalMs: number;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Which interval of this process is open: names its draft. */
  private periodSeq = 0;
  /** Counts recorded since the open interval's draft was last persisted. */
  private dirty = false;
  /** Drafts whose counts are now in `counters`: deleted with the next persisted draft. */
  private staleDrafts: string[] = [];
  /** Draft and outbox writes, one at a time and in call order. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(options: UsageTrackerOptions) {
    this.options = options;
    this.runId = options.runId ?? randomUUID();
    this.flushIntervalMs = options.outbox.batch === undefined ? 0 : (options.flushIntervalMs ?? 1000);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.newId = options.newId ?? randomUUID;
    this.maxUsers = Math.min(options.maxUsersPerReport ?? MAX_USERS_PER_REPORT, MAX_USERS_PER_REPORT);
    this.periodStart = this.clock.now();
  }

  /** Adds a request's deltas to the tenant's counters for the current interval. */
  record(userId: string, event: UsageEvent): void {
    // An id HiveHub cannot accept would poison the whole report it lands in.
    if (!isValidUserId(userId)) return;
    let counters = this.counters.get(userId);
    if (counters === undefined) {
      counters = emptyCounters();
      this.counters.set(userId, counters);
    }
    for (const [from, to] of EVENT_FIELDS) {
      const delta = event[from];
      // Counters are non-negative deltas by contract; junk would make HiveHub reject the whole report.
      if (delta !== undefined && Number.isSafeInteger(delta) && delta > 0) counters[to] += delta;
    }
    this.dirty = true;
  }

  /** The tenant's counters in the interval not yet reported. */
  current(userId: string): UsageCounters & { period_start: string } {
    return {
      ...emptyCounters(),
      ...this.counters.get(userId),
      period_start: new Date(this.periodStart).toISOString(),
    };
  }

  /**
   * Reports every `intervalSeconds` and persists the open interval every `flushIntervalMs`;
   * first folds the drafts a previous run left into the open interval, then re-sends
   * whatever it left in the outbox.
   */
  start(): Promise<void> {
    if (this.timer === null) {
      this.recoverDrafts();
      this.timer = setInterval(() => {
        this.flush().catch((err: unknown) => {
          this.lastError = describeError(err);
          this.logger.error({ component: 'usage', error: this.lastError }, 'usage reporting failed');
        });
      }, this.options.intervalSeconds * 1000);
      this.timer.unref();
      if (this.flushIntervalMs > 0) {
        this.flushTimer = setInterval(() => {
          // A failed write is logged inside; the counts stay dirty for the next tick.
          this.persistCounters().catch(() => undefined);
        }, this.flushIntervalMs);
        this.flushTimer.unref();
      }
    }
    return this.deliverPending();
  }

  /** Stops the timers and moves the open interval into the outbox, then tries one delivery. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    if (this.flushTimer !== null) clearInterval(this.flushTimer);
    this.timer = null;
    this.flushTimer = null;
    await this.flush();
  }

  /**
   * Persists the open interval's counters as this interval's draft (replacing the previous
   * one) and deletes the drafts folded into it, in one transaction. A no-op when nothing
   * changed or the outbox cannot write atomically.
   */
  persistCounters(): Promise<void> {
    return this.serialized(async () => {
      const batch = this.options.outbox.batch;
      if (batch === undefined || (!this.dirty && this.staleDrafts.length === 0)) return;
      const seq = this.periodSeq;
      const stale = [...this.staleDrafts];
      const key = this.draftKey(seq);
      const writes: SystemTableWrite<UsageReport>[] = [
        this.counters.size === 0 ? { key } : { key, value: this.draftOf(this.counters, this.periodStart) },
        ...stale.map((k) => ({ key: k })),
      ];
      this.dirty = false;
      try {
        await batch.call(this.options.outbox, writes);
      } catch (err) {
        // Still in memory: the next tick (or the interval's report) tries again.
        if (seq === this.periodSeq) this.dirty = true;
        this.lastError = `cannot persist usage counters: ${describeError(err)}`;
        this.logger.error({ component: 'usage', error: this.lastError }, 'usage counters not persisted');
        throw err;
      }
      // The interval may have closed meanwhile: its report deletes these keys again, harmlessly.
      this.staleDrafts = this.staleDrafts.filter((k) => !stale.includes(k));
    });
  }

  /** Closes the current interval into the outbox and delivers everything pending. */
  async flush(): Promise<void> {
    await this.closePeriod();
    await this.deliverPending();
  }

  /** Turns the current interval into outbox entries; returns how many reports were written. */
  async closePeriod(): Promise<number> {
    const counters = this.counters;
    const periodStart = this.periodStart;
    // The drafts holding (part of) these counts: deleted together with the reports.
    const drafts = [this.draftKey(this.periodSeq), ...this.staleDrafts];
    // Swap first: usage recorded while we await storage sizes belongs to the next interval.
    this.counters = new Map();
    this.periodStart = this.clock.now();
    this.periodSeq += 1;
    this.staleDrafts = [];
    this.dirty = false;
    const idle = await this.idleTenants(counters);
    if (counters.size === 0 && idle.length === 0) {
      // No draft of an empty interval exists; empty leftovers go with the next persisted draft.
      this.staleDrafts.push(...drafts.slice(1));
      return 0;
    }

    const users: UsageUser[] = [];
    for (const [userId, c] of counters) {
      users.push({ user_id: userId, ...c, storage_bytes: await this.storageOf(userId) });
    }
    for (const userId of idle) {
      users.push({ user_id: userId, ...emptyCounters(), storage_bytes: await this.storageOf(userId) });
    }
    const periodEnd = new Date(this.periodStart).toISOString();
    const reports: [string, UsageReport][] = [];
    for (let i = 0; i < users.length; i += this.maxUsers) {
      const report: UsageReport = {
        report_id: this.newId(),
        instance_id: this.options.instanceId,
        period_start: new Date(periodStart).toISOString(),
        period_end: periodEnd,
        users: users.slice(i, i + this.maxUsers),
      };
      // Key order is delivery order: period end, then a per-process sequence.
      reports.push([`${periodEnd}#${String(this.sequence++).padStart(8, '0')}#${report.report_id}`, report]);
    }
    const outbox = this.options.outbox;
    if (outbox.batch !== undefined) {
      try {
        // Reports in, drafts out, in one transaction: a crash never loses nor doubles a count.
        await this.serialized(() =>
          outbox.batch!([
            ...reports.map(([key, value]) => ({ key, value })),
            ...drafts.map((key) => ({ key })),
          ]),
        );
        return reports.length;
      } catch (err) {
        // Nothing was written: the drafts still hold these counts, so they move with them.
        this.staleDrafts.push(...drafts);
        this.keepInMemory(users, err);
        return 0;
      }
    }
    let written = 0;
    for (const [key, report] of reports) {
      try {
        await outbox.put(key, report);
        written += 1;
      } catch (err) {
        this.keepInMemory(report.users, err);
      }
    }
    return written;
  }

  /** Not durable, so not sent: fold the counts back so the next interval carries them. */
  private keepInMemory(users: readonly UsageUser[], err: unknown): void {
    this.restore(users);
    this.lastError = `cannot write the usage outbox: ${describeError(err)}`;
    this.logger.error({ component: 'usage', error: this.lastError }, 'usage report kept in memory');
  }

  /** Folds every draft in the outbox (left by a previous process) into the open interval. */
  private recoverDrafts(): void {
    if (this.options.outbox.batch === undefined) return;
    const found: string[] = [];
    try {
      const drafts = [...this.options.outbox.entries(DRAFT_PREFIX)];
      for (const [key, draft] of drafts) {
        found.push(key);
        this.restore(draft.users);
      }
    } catch (err) {
      // Unreadable drafts stay where they are: the next start tries again.
      this.lastError = `cannot read persisted usage counters: ${describeError(err)}`;
      this.logger.error({ component: 'usage', error: this.lastError }, 'usage counters not recovered');
      return;
    }
    if (found.length === 0) return;
    this.staleDrafts.push(...found);
    this.logger.info(
      { component: 'usage', drafts: found.length },
      'usage counters of an interrupted run folded into the open interval',
    );
    // Persist the merge now, so a second crash before the first tick loses nothing either.
    this.persistCounters().catch(() => undefined);
  }

  private draftKey(seq: number): string {
    return `${DRAFT_PREFIX}${this.runId}#${String(seq).padStart(8, '0')}`;
  }

  /** The open interval as a report without an id: only its counters matter. */
  private draftOf(counters: ReadonlyMap<string, UsageCounters>, periodStart: number): UsageReport {
    return {
      report_id: '',
      instance_id: this.options.instanceId,
      period_start: new Date(periodStart).toISOString(),
      period_end: new Date(this.clock.now()).toISOString(),
      users: [...counters].map(([userId, c]) => ({ user_id: userId, ...c, storage_bytes: 0 })),
    };
  }

  /** Runs `fn` after every earlier outbox write settled, so writes apply in call order. */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => undefined);
    return run;
  }

  /** Sends outbox entries in order; stops at the first transient failure and keeps the rest. */
  deliverPending(): Promise<void> {
    if (this.delivering !== null) {
      this.deliverAgain = true;
      return this.delivering;
    }
    this.delivering = (async () => {
      try {
        do {
          this.deliverAgain = false;
          await this.deliverOnce();
        } while (this.deliverAgain);
      } finally {
        this.delivering = null;
      }
    })();
    return this.delivering;
  }

  outboxDepth(): number {
    let depth = 0;
    for (const [key] of this.options.outbox.entries()) if (isPendingKey(key)) depth += 1;
    return depth;
  }

  stats(): UsageTrackerStats {
    return {
      outboxDepth: this.outboxDepth(),
      reportsSent: this.reportsSent,
      reportsFailed: this.reportsFailed,
      duplicatesAcknowledged: this.duplicates,
      lastError: this.lastError,
      lastDeliveredAt: this.lastDeliveredAt,
      periodStart: this.periodStart,
      activeTenants: this.counters.size,
    };
  }

  private async deliverOnce(): Promise<void> {
    for (const [key, report] of [...this.options.outbox.entries()]) {
      if (!isPendingKey(key)) continue;
      try {
        const answer = await this.options.client.updateUsage(report);
        if (!answer.accepted) {
          this.reportsFailed += 1;
          this.lastError = `HiveHub did not accept usage report ${report.report_id}`;
          this.logger.warn({ component: 'usage', reportId: report.report_id }, this.lastError);
          continue;
        }
        await this.options.outbox.remove(key);
        this.reportsSent += 1;
        if (answer.duplicate) this.duplicates += 1;
        this.lastDeliveredAt = this.clock.now();
      } catch (err) {
        this.reportsFailed += 1;
        this.lastError = describeError(err);
        if (err instanceof ControlPlaneUnavailableError || err instanceof ControlPlaneAuthError) {
          // Every later report would fail the same way: wait for the next attempt.
          this.logger.warn(
            { component: 'usage', reportId: report.report_id, error: this.lastError },
            'usage delivery failed; kept in the outbox for the next attempt',
          );
          return;
        }
        if (isMalformedReport(err)) {
          await this.park(key, report);
          continue;
        }
        // HiveHub refused this one report for another reason (404 USER_NOT_FOUND, an answer
        // that breaks the contract — it may have counted it...): keep it for later attempts
        // (same report_id, so never counted twice), but never let it block the ones behind it.
        this.logger.error(
          { component: 'usage', reportId: report.report_id, error: this.lastError },
          'usage report refused',
        );
        continue;
      }
    }
  }

  /** Moves a report HiveHub called malformed out of the delivery queue, keeping it for inspection. */
  private async park(key: string, report: UsageReport): Promise<void> {
    const outbox = this.options.outbox;
    const parked = `${REFUSED_PREFIX}${key}`;
    this.logger.error(
      { component: 'usage', reportId: report.report_id, key: parked, error: this.lastError },
      'usage report refused as malformed; kept in the outbox, not re-sent',
    );
    try {
      if (outbox.batch !== undefined) {
        await this.serialized(() => outbox.batch!([{ key: parked, value: report }, { key }]));
      } else {
        await outbox.put(parked, report);
        await outbox.remove(key);
      }
    } catch (err) {
      // Still pending: it is re-sent next time, which costs a refusal but loses nothing.
      this.logger.error({ component: 'usage', error: describeError(err) }, 'cannot park a refused report');
    }
  }

  /** Tenants holding data that made no request in the interval (their storage still syncs). */
  private async idleTenants(active: ReadonlyMap<string, UsageCounters>): Promise<string[]> {
    const source = this.options.tenantsWithData;
    if (source === undefined) return [];
    const idle = new Set<string>();
    try {
      for (const userId of await source()) {
        if (!active.has(userId) && isValidUserId(userId)) idle.add(userId);
      }
    } catch (err) {
      // The sync waits for the next interval; the active tenants' report must not.
      this.logger.warn(
        { component: 'usage', error: describeError(err) },
        'cannot list tenants with data; reporting active tenants only',
      );
      return [];
    }
    return [...idle].sort();
  }

  private async storageOf(userId: string): Promise<number> {
    try {
      const bytes = await this.options.storageBytesOf(userId);
      const value = Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : 0;
      this.lastStorage.set(userId, value);
      return value;
    } catch (err) {
      this.logger.warn(
        { component: 'usage', error: describeError(err) },
        'cannot measure tenant storage; reporting the last known size',
      );
      return this.lastStorage.get(userId) ?? 0;
    }
  }

  private restore(users: readonly UsageUser[]): void {
    for (const user of users) {
      const event: UsageEvent = {
        requests: user.requests,
        readQueries: user.read_queries,
        writeQueries: user.write_queries,
        nodesCreated: user.nodes_created,
        relationshipsCreated: user.relationships_created,
        nodesDeleted: user.nodes_deleted,
        relationshipsDeleted: user.relationships_deleted,
      };
      this.record(user.user_id, event);
    }
  }
}
