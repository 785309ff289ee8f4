/**
 * Versioned schema migrations, applied in order inside one transaction each. Each feature owns
 * one file in migrations/; never edit a migration once it has landed, add a new one.
 */
import { m001 } from './migrations/001-init.js';
import { m002 } from './migrations/002-scheduler.js';
import { m003 } from './migrations/003-domains.js';
import { m004 } from './migrations/004-operations.js';
import { m005 } from './migrations/005-previews.js';
import { m007 } from './migrations/007-app-databases.js';
import { m008 } from './migrations/008-deployment-actor.js';
import { m015 } from './migrations/015-deployment-phases.js';
import { m016 } from './migrations/016-backend-projects.js';
import { m023 } from './migrations/023-backend-functions.js';
import { m024 } from './migrations/024-function-digests.js';
import { m026 } from './migrations/026-telemetry-traces.js';
import { m029 } from './migrations/029-log-search.js';
import { m030 } from './migrations/030-error-groups.js';
import { m031 } from './migrations/031-alerts-metrics.js';
import { m032 } from './migrations/032-git-connections.js';
import { m035 } from './migrations/035-accounts.js';
import { m036 } from './migrations/036-password-resets.js';
import { m039 } from './migrations/039-addons.js';
import { m040 } from './migrations/040-one-off-runs.js';
import { m041 } from './migrations/041-cron-jobs.js';
import { m046 } from './migrations/046-studio-queries.js';
import { m047 } from './migrations/047-usage-instances.js';
import { m048 } from './migrations/048-git-tags-host-keys.js';
import { m054 } from './migrations/054-otlp-metrics-instance-usage.js';
import { m059 } from './migrations/059-sign-in-failures.js';
import { m060 } from './migrations/060-totp.js';
import { m062 } from './migrations/062-usage-traffic-sizes.js';
import { m063 } from './migrations/063-team-plans.js';
import { m066 } from './migrations/066-pg-backups.js';
import { m067 } from './migrations/067-billing-stripe.js';
import { m070 } from './migrations/070-app-stripe.js';
import { m073 } from './migrations/073-pitr.js';
import { m079 } from './migrations/079-addon-previews.js';
import { m082 } from './migrations/082-error-sample-traces.js';
import { m083 } from './migrations/083-metrics-restarts-databases.js';
import { m085 } from './migrations/085-backend-oauth-providers.js';
import { m086 } from './migrations/086-backend-disabled.js';
import { m090 } from './migrations/090-metric-point-temporality.js';
import { m091 } from './migrations/091-release-first-requests.js';
import { m092 } from './migrations/092-crash-exits.js';
import type { Migration } from './migrations/migration.js';

export type { Migration } from './migrations/migration.js';

export const MIGRATIONS: readonly Migration[] = [
  m001,
  m002,
  m003,
  m004,
  m005,
  m007,
  m008,
  m015,
  m016,
  m023,
  m024,
  m026,
  m029,
  m030,
  m031,
  m032,
  m035,
  m036,
  m039,
  m040,
  m041,
  m046,
  m047,
  m048,
  m054,
  m059,
  m060,
  m062,
  m063,
  m066,
  m067,
  m070,
  m073,
  m079,
  m082,
  m083,
  m085,
  m086,
  m090,
  m091,
  m092,
];
