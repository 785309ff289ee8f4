/** API routes for custom domains and certificates. */
import type express from 'express';
import type { ApiDeps } from '../deps.js';

export function registerDomainRoutes(_v1: express.Router, _deps: ApiDeps): void {
  // Routes are added here as the feature lands.
}
