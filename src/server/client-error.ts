/**
 * Fastify's `clientErrorHandler`: errors Node's HTTP parser raises before any request
 * exists (malformed request line or headers, headers over the size limit, a request not
 * received in time) answered in the documented error shape instead of Fastify's own body,
 * then the connection is closed — after a parse error the byte stream cannot be trusted.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../errors.js';
import type { ErrorBody } from './error-reply.js';
import { ERROR_STATUS } from '../service/error-status.js';

/** The part of Fastify's `ConnectionError` the handler reads. */
export interface ClientError extends Error {
  code?: string;
}

/** The code and message a client error is answered with. */
export function classifyClientError(err: ClientError): { code: ErrorCode; message: string } {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        code: 'REQUEST_HEADERS_TOO_LARGE',
        message: "The request line and headers exceed the server's size limit",
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        code: 'REQUEST_TIMEOUT',
        message: 'The request was not received completely within the server request timeout',
      };
    default:
      return {
        code: 'INVALID_BODY',
        message:
          err.code !== undefined && err.code.startsWith('HPE_')
            ? `Malformed HTTP request (${err.code})`
            : 'Malformed HTTP request',
      };
  }
}

/** The raw HTTP/1.1 response for a client error: error body, `Connection: close`. */
export function clientErrorResponse(err: ClientError): { code: ErrorCode; response: string } {
  const { code, message } = classifyClientError(err);
  const status = ERROR_STATUS[code];
  const body: ErrorBody = { error: { code, message } };
  const json = JSON.stringify(body);
  const response =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    'Connection: close\r\n\r\n' +
    json;
  return { code, response };
}

/** The response Node is writing on the socket, if any (an internal field, read defensively). */
type InFlight = { writableFinished?: boolean; once(event: string, listener: () => void): unknown };

function inFlightResponse(socket: Socket): InFlight | null {
  const message = (socket as Socket & { _httpMessage?: unknown })._httpMessage;
  if (typeof message !== 'object' || message === null || !('once' in message)) return null;
  return message as InFlight;
}

/**
 * Builds the handler; `onAnswered` hears the code of each answer written (for metrics).
 * Writes only to a socket still writable. When a response is still being written on the
 * connection (a pipelined request before the bad one), the error is written after it has
 * finished, so the client reads the answers in request order; if that response is aborted
 * instead, nothing is written (bytes after a partial response would corrupt it).
 */
export function makeClientErrorHandler(
  onAnswered: (code: ErrorCode) => void = () => undefined,
): (err: ClientError, socket: Socket) => void {
  const answer = (err: ClientError, socket: Socket): void => {
    if (!socket.destroyed && socket.writable) {
      const { code, response } = clientErrorResponse(err);
      socket.write(response);
      onAnswered(code);
    }
    socket.destroy();
  };
  return (err, socket) => {
    // A reset connection is already gone: nothing to answer, nothing to report.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const inFlight = inFlightResponse(socket);
    if (inFlight === null || inFlight.writableFinished === true) {
      answer(err, socket);
      return;
    }
    let settled = false;
    inFlight.once('finish', () => {
      if (settled) return;
      settled = true;
      answer(err, socket);
    });
    inFlight.once('close', () => {
      if (settled) return;
      settled = true;
      socket.destroy();
    });
  };
}
