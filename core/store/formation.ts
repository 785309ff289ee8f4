/** Writing an app's formation: replicas and size per process type (reading is `getFormation`). */
import type { Sql } from './database.js';

export async function setFormation(
  sql: Sql,
  appId: number,
  entry: { processType: string; replicas: number; size: string },
): Promise<void> {
  await sql`
    INSERT INTO formation (app_id, process_type, replicas, size)
    VALUES (${appId}, ${entry.processType}, ${entry.replicas}, ${entry.size})
    ON CONFLICT (app_id, process_type) DO UPDATE SET replicas = EXCLUDED.replicas, size = EXCLUDED.size`;
}
