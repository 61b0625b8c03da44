/**
 * The one database every server has until named databases exist: upstream Nexus and Neo4j
 * drivers call it `neo4j`; `default` (the storage namespace's name) is accepted as well.
 * Doors that take a database name (POST /cypher `database`, RPC DB_USE) refuse any other
 * name with DATABASE_NOT_FOUND.
 */
export const DEFAULT_DATABASE_NAME = 'neo4j';

export function isDefaultDatabase(name: string): boolean {
  return name === DEFAULT_DATABASE_NAME || name === 'default';
}
