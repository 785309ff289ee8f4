/** Writing an app's config vars (reading is `getConfigVars` in apps.ts). Keys arrive parsed. */
import type { Sql } from './database.js';

/** Makes the stored vars exactly `vars`, in one transaction so readers never see half a change. */
export async function replaceConfigVars(sql: Sql, appId: number, vars: Record<string, string>): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`DELETE FROM config_vars WHERE app_id = ${appId}`;
    for (const [key, value] of Object.entries(vars)) {
      await tx`INSERT INTO config_vars (app_id, key, value) VALUES (${appId}, ${key}, ${value})`;
    }
  });
}
