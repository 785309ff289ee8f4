/** API routes for config vars (config, config:set, config:unset) and rollback. */
import type express from 'express';
import type { ApiDeps } from '../deps.js';

export function registerConfigRoutes(_v1: express.Router, _deps: ApiDeps): void {
  // Routes are added here as the feature lands.
}
