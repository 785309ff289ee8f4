/**
 * The database studio's server half (issue 17): the SQL editor with its history, and the schema
 * view, on any app's database (the backend need not be enabled; the table browser in the
 * dashboard goes through the backend's own /rest/v1 as the service role). Each call opens one
 * short-lived connection as the app's owner: a studio is used by a person now and then, so it
 * holds no pool between calls.
 */
import { NotFoundError } from '../../core/errors.js';
import { appDatabaseUrl, type AppDatabases, type DatabaseEndpoint } from '../../core/store/app-databases.js';
import type { AppRecord } from '../../core/store/apps.js';
import { connect, type Sql } from '../../core/store/database.js';
import { queryHistory, recordQuery, type HistoryEntry } from './history.js';
import { runQuery, type QueryResult } from './query.js';
import { readSchema, type TableView } from './schema.js';

export type { HistoryEntry, QueryResult, TableView };

export interface Studio {
  query(app: AppRecord, text: string, actor: string): Promise<QueryResult>;
  history(app: AppRecord, actor: string): Promise<HistoryEntry[]>;
  schema(app: AppRecord): Promise<TableView[]>;
}

export function createStudio(deps: { sql: Sql; databases: AppDatabases; endpoint: DatabaseEndpoint }): Studio {
  const withOwner = async <T>(app: AppRecord, work: (owner: Sql) => Promise<T>): Promise<T> => {
    const credentials = await deps.databases.find(app.id);
    if (!credentials) throw new NotFoundError(`${app.name} has no database yet: it is created on the first deploy (git push)`);
    const owner = connect(appDatabaseUrl(credentials, deps.endpoint), 1);
    try {
      return await work(owner);
    } finally {
      await owner.end({ timeout: 5 });
    }
  };
  return {
    async query(app, text, actor) {
      let ok = false;
      try {
        const result = await withOwner(app, (owner) => runQuery(owner, text));
        ok = true;
        return result;
      } finally {
        if (text.trim() !== '') await recordQuery(deps.sql, { appId: app.id, actor, sql: text, ok });
      }
    },
    history: (app, actor) => queryHistory(deps.sql, app.id, actor),
    schema: (app) => withOwner(app, readSchema),
  };
}
