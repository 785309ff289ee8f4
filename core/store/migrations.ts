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
import { m035 } from './migrations/035-accounts.js';
import { m036 } from './migrations/036-password-resets.js';
import type { Migration } from './migrations/migration.js';

export type { Migration } from './migrations/migration.js';

export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m004, m005, m007, m008, m015, m016, m035, m036];
