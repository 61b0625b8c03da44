/**
 * Aggregates each tenant's usage per report interval and delivers it to HiveHub without
 * ever losing or double-counting it: a closed interval becomes one or more reports (≤1000
 * users each) written to a durable outbox BEFORE sending; an entry leaves the outbox only
 * once HiveHub accepted it (a duplicate answer counts), and retries — including after a
 * restart — resend the stored report with its original report_id.
 */
import { randomUUID } from 'node:crypto';
import { NexusError } from '../errors.js';
import type { SystemTable } from '../storage/types.js';
import { describeError, silentLogger, systemClock } from './cluster-logger.js';
import type { Clock, ClusterLogger } from './cluster-logger.js';
import { ControlPlaneProtocolError } from './control-plane-errors.js';
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

  constructor(options: UsageTrackerOptions) {
    this.options = options;
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
  }

  /** The tenant's counters in the interval not yet reported. */
  current(userId: string): UsageCounters & { period_start: string } {
    return {
      ...emptyCounters(),
      ...this.counters.get(userId),
      period_start: new Date(this.periodStart).toISOString(),
    };
  }

  /** Reports every `intervalSeconds`; first re-sends whatever a previous run left in the outbox. */
  start(): Promise<void> {
    if (this.timer === null) {
      this.timer = setInterval(() => {
        this.flush().catch((err: unknown) => {
          this.lastError = describeError(err);
          this.logger.error({ component: 'usage', error: this.lastError }, 'usage reporting failed');
        });
      }, this.options.intervalSeconds * 1000);
      this.timer.unref();
    }
    return this.deliverPending();
  }

  /** Stops the timer and moves the open interval into the outbox, then tries one delivery. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
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
    // Swap first: usage recorded while we await storage sizes belongs to the next interval.
    this.counters = new Map();
    this.periodStart = this.clock.now();
    const idle = await this.idleTenants(counters);
    if (counters.size === 0 && idle.length === 0) return 0;

    const users: UsageUser[] = [];
    for (const [userId, c] of counters) {
      users.push({ user_id: userId, ...c, storage_bytes: await this.storageOf(userId) });
    }
    for (const userId of idle) {
      users.push({ user_id: userId, ...emptyCounters(), storage_bytes: await this.storageOf(userId) });
    }
    const periodEnd = new Date(this.periodStart).toISOString();
    let written = 0;
    for (let i = 0; i < users.length; i += this.maxUsers) {
      const report: UsageReport = {
        report_id: this.newId(),
        instance_id: this.options.instanceId,
        period_start: new Date(periodStart).toISOString(),
        period_end: periodEnd,
        users: users.slice(i, i + this.maxUsers),
      };
      // Key order is delivery order: period end, then a per-process sequence.
      const key = `${periodEnd}#${String(this.sequence++).padStart(8, '0')}#${report.report_id}`;
      try {
        await this.options.outbox.put(key, report);
        written += 1;
      } catch (err) {
        // Not durable, so not sent: fold the counts back so the next interval carries them.
        this.restore(report.users);
        this.lastError = `cannot write the usage outbox: ${describeError(err)}`;
        this.logger.error({ component: 'usage', error: this.lastError }, 'usage report kept in memory');
      }
    }
    return written;
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
    for (const _entry of this.options.outbox.entries()) depth += 1;
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
        if (
          err instanceof ControlPlaneProtocolError ||
          (err instanceof NexusError && err.code === 'INVALID_PARAMETER')
        ) {
          // HiveHub says the report is malformed: keep it for inspection, but let the rest through.
          this.logger.error(
            { component: 'usage', reportId: report.report_id, error: this.lastError },
            'usage report refused',
          );
          continue;
        }
        this.logger.warn(
          { component: 'usage', reportId: report.report_id, error: this.lastError },
          'usage delivery failed; kept in the outbox for the next attempt',
        );
        return;
      }
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
