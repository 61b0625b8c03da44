/**
 * The logging surface cluster mode needs: a structural subset of pino's `Logger`, so the
 * server passes its pino instance and tests pass a recorder.
 */

export interface ClusterLogger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
}

/** Time source in milliseconds since the epoch; injected so tests control TTLs and windows. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

const noop = (): void => undefined;
export const silentLogger: ClusterLogger = { debug: noop, info: noop, warn: noop, error: noop };

/** The message of anything thrown, for logs and status (never a stack). */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
