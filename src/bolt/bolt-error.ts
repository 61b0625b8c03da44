/**
 * The error a malformed Bolt frame, message or value raises: PROTOCOL_ERROR, answered with
 * FAILURE `Neo.ClientError.Request.Invalid` (the connection is then closed).
 */
import { NexusError } from '../errors.js';

export function boltError(message: string): NexusError {
  return new NexusError('PROTOCOL_ERROR', message);
}
