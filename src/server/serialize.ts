/**
 * The server's value serialisation. The lossless JSON scheme (documented in docs/API.md)
 * lives in src/engine/json-values.ts so REST and MCP share one implementation; this module
 * is the server's view of it.
 */
export {
  serializeInteger,
  serializeFloat,
  serializeValue,
  serializeNodeRecord,
  serializeRelationshipRecord,
  serializeQueryResult,
  jsonToValue,
  jsonToParams,
  jsonToProperties,
  jsonToPropertyMap,
} from '../engine/json-values.js';
