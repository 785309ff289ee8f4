/**
 * backend/rest: PostgREST's API under `/rest/v1` for every project (see backend/README.md).
 * The foundation mounts `createRestService()` and runs `restSchemaSql(owner)` when it
 * provisions a project database.
 */
export { createRestService, type RestOptions } from './service.js';
export { restSchemaSql } from './schema-sql.js';
