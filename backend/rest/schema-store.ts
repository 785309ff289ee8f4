/**
 * One schema cache per project pool, loaded on first use and dropped when the database says its
 * schema changed (a NOTIFY from restSchemaSql's event triggers, or `NOTIFY pgrst`). A request
 * that names something the cache lacks asks for one reload before it fails: the NOTIFY of a
 * CREATE TABLE committed a moment ago may still be on its way.
 */
import type { Sql } from '../../core/store/database.js';
import { loadSchemaCache, type SchemaCache } from './schema-cache.js';
import { SCHEMA_CHANNEL } from './schema-sql.js';

interface Entry {
  cache: Promise<SchemaCache> | null;
  listening: boolean;
}

export class SchemaStore {
  private readonly entries = new WeakMap<Sql, Entry>();

  constructor(private readonly schemas: string[]) {}

  get(sql: Sql): Promise<SchemaCache> {
    let entry = this.entries.get(sql);
    if (!entry) {
      entry = { cache: null, listening: false };
      this.entries.set(sql, entry);
      this.listen(sql, entry);
    }
    if (!entry.cache) {
      const loading = loadSchemaCache(sql, this.schemas);
      entry.cache = loading;
      loading.catch(() => {
        if (entry.cache === loading) entry.cache = null;
      });
    }
    return entry.cache;
  }

  /** Drops the cache so the next get() reads the catalog again. */
  invalidate(sql: Sql): void {
    const entry = this.entries.get(sql);
    if (entry) entry.cache = null;
  }

  private listen(sql: Sql, entry: Entry): void {
    const drop = () => {
      entry.cache = null;
    };
    // A failed LISTEN leaves reload-on-miss as the only refresh; requests still work.
    for (const channel of [SCHEMA_CHANNEL, 'pgrst']) {
      sql.listen(channel, drop).then(() => { entry.listening = true; }, () => {});
    }
  }
}
