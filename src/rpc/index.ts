/**
 * The native binary RPC door (upstream Nexus's SDK transport): framing and MessagePack
 * codec, NexusValue conversion, the command table and the TCP listener.
 */
export { startRpcServer, type RpcServer, type RpcServerDeps } from './rpc-server.js';
export { COMMANDS, quoteName } from './rpc-commands.js';
export {
  decodeRequest,
  errorFrame,
  beginResponse,
  ResponseWriter,
  PUSH_ID,
  type RpcRequest,
} from './rpc-codec.js';
export { toEngineValue, toParams, writeValue, writePlain } from './nexus-value.js';
