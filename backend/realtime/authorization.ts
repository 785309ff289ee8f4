/**
 * Private channels, authorised as Supabase's "Realtime Authorization" does it: RLS policies on
 * `realtime.messages` decide. Reading (joining, receiving) is allowed when the caller can SELECT
 * a message row of the topic; writing (sending a broadcast, tracking presence) when it can
 * INSERT one. Both are tried in a transaction in the caller's role, with its claims and
 * `realtime.topic()` set, and rolled back: nothing is ever stored.
 */
import type { BackendProject } from '../contract.js';
import type { Caller } from './hub.js';
import type { PrivateChannels } from './session.js';

class RolledBack extends Error {}

const INSUFFICIENT_PRIVILEGE = '42501';

export const rlsPrivateChannels: PrivateChannels = {
  async allowed(project: BackendProject, caller: Caller, topic: string, extension, action) {
    let allowed = false;
    await project.sql.begin(async (tx) => {
      // The probe row is written as the table's owner, whom RLS does not bind, before the role switch.
      const [probe] = action === 'read'
        ? await tx`INSERT INTO realtime.messages (topic, extension, private) VALUES (${topic}, ${extension}, true) RETURNING id`
        : [];
      await tx`SELECT set_config('role', ${caller.role}, true),
        set_config('request.jwt.claims', ${JSON.stringify(caller.claims)}, true),
        set_config('request.jwt.claim.sub', ${caller.claims.sub ?? ''}, true),
        set_config('request.jwt.claim.role', ${caller.role}, true),
        set_config('realtime.topic', ${topic}, true)`;
      if (probe) {
        allowed = (await tx`SELECT 1 FROM realtime.messages WHERE id = ${probe.id}`).length > 0;
      } else {
        try {
          await tx.savepoint((sp) => sp`INSERT INTO realtime.messages (topic, extension, private) VALUES (${topic}, ${extension}, true)`);
          allowed = true;
        } catch (err) {
          if ((err as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw err;
        }
      }
      throw new RolledBack();
    }).catch((err: unknown) => {
      if (!(err instanceof RolledBack)) throw err;
    });
    return allowed;
  },
};
