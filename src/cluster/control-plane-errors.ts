/**
 * Typed failures of the HiveHub control plane. They are `NexusError`s so that, if one
 * reaches a client, it maps to a stable code; operators tell them apart by class.
 */
import { NexusError } from '../errors.js';

/**
 * HiveHub rejected the service key (401 INVALID_SERVICE_KEY): a configuration error that
 * no retry can fix. Fatal at startup; afterwards tenants see CONTROL_PLANE_UNAVAILABLE.
 */
export class ControlPlaneAuthError extends NexusError {
  constructor(message: string) {
    super('CONTROL_PLANE_UNAVAILABLE', message, { details: { retryAfterSeconds: 60 } });
    this.name = 'ControlPlaneAuthError';
  }
}

export type UnavailableReason = 'timeout' | 'connection' | 'server_error' | 'throttled' | 'circuit_open';

/** HiveHub could not be reached or kept failing (timeouts, connection errors, 5xx, 429) after retries. */
export class ControlPlaneUnavailableError extends NexusError {
  readonly reason: UnavailableReason;
  readonly retryAfterSeconds: number;
  readonly status: number | null;

  constructor(
    reason: UnavailableReason,
    message: string,
    retryAfterSeconds: number,
    status: number | null = null,
  ) {
    super('CONTROL_PLANE_UNAVAILABLE', message, { details: { retryAfterSeconds } });
    this.name = 'ControlPlaneUnavailableError';
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
    this.status = status;
  }
}

/**
 * HiveHub answered 400, another unexpected status, or a body that breaks the contract:
 * a bug on one side, never retried. Clients only ever see INTERNAL_ERROR.
 */
export class ControlPlaneProtocolError extends NexusError {
  readonly status: number | null;

  constructor(message: string, status: number | null) {
    super('INTERNAL_ERROR', message);
    this.name = 'ControlPlaneProtocolError';
    this.status = status;
  }
}
