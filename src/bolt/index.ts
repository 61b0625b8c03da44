/**
 * Public surface of the Bolt door: `startBoltServer(deps)` listens and serves Neo4j
 * drivers over the request core; the codec pieces are exported for tests and tools.
 */
export { startBoltServer, type BoltServer, type BoltServerDeps } from './bolt-server.js';
export {
  BoltConnection,
  MSG,
  SERVER_AGENT,
  type BoltConnectionOptions,
  type BoltLogger,
} from './bolt-connection.js';
export { BoltStruct } from './bolt-struct.js';
export { PackStreamWriter, type PackValue } from './packstream-writer.js';
export { PackStreamReader, type Unpacked } from './packstream-reader.js';
export { ChunkDecoder } from './chunk-decoder.js';
export { ChunkEncoder } from './chunk-encoder.js';
export { Handshake, BOLT_MAGIC, isSupported, type BoltVersion, type HandshakeStep } from './handshake.js';
export { ValueCodec, TAG } from './value-codec.js';
export { boltError } from './bolt-error.js';
