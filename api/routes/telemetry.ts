/**
 * Telemetry (issue 18, telemetry/index.ts): enable or disable it per app (the ingest token is a
 * secret: scopes.ts asks for the deploy scope to see it), and read traces: a list of entry spans
 * in a window, newest or slowest first, and one trace with all its spans.
 */
import type express from 'express';
import { DevflowError, InvalidInputError } from '../../core/errors.js';
import { parseAppName } from '../../core/names.js';
import { parseDuration } from '../../core/settings.js';
import type { SamplingChange } from '../../telemetry/index.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

/** The body of POST: `{"sample": 0.5, "slowMs": 300}`, each optional (null returns to the platform default). */
export function parseTelemetrySettings(body: unknown): SamplingChange {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidInputError('send a JSON object: {"sample": 0.5, "slowMs": 300}');
  const { sample, slowMs, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new InvalidInputError(`unknown telemetry setting "${Object.keys(rest)[0]}": use sample or slowMs`);
  const change: SamplingChange = {};
  if (sample !== undefined) {
    if (sample !== null && typeof sample !== 'number') throw new InvalidInputError('sample must be a number from 0 to 1, or null');
    change.sampleRatio = sample;
  }
  if (slowMs !== undefined) {
    if (slowMs !== null && typeof slowMs !== 'number') throw new InvalidInputError('slowMs must be a number of milliseconds, or null');
    change.slowMs = slowMs;
  }
  return change;
}

const HOUR_MS = 3_600_000;

export function registerTelemetryRoutes(v1: express.Router, deps: ApiDeps): void {
  const telemetry = () => {
    if (!deps.telemetry) throw new DevflowError('runtime_unavailable', 'telemetry is not available on this DevFlow');
    return deps.telemetry;
  };
  v1.get('/apps/:app/telemetry', route(async (req, res) => {
    res.json(await telemetry().describe(parseAppName(req.params.app)));
  }));
  v1.post('/apps/:app/telemetry', route(async (req, res) => {
    const { created, view } = await telemetry().enable(parseAppName(req.params.app), parseTelemetrySettings(req.body));
    res.status(created ? 201 : 200).json(view);
  }));
  v1.delete('/apps/:app/telemetry', route(async (req, res) => {
    res.json(await telemetry().disable(parseAppName(req.params.app)));
  }));
  v1.get('/apps/:app/traces', route(async (req, res) => {
    const since = typeof req.query.since === 'string' ? parseDuration(req.query.since) : HOUR_MS;
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new InvalidInputError('limit must be a whole number from 1 to 200');
    res.json(await telemetry().listTraces(parseAppName(req.params.app), {
      sinceMs: Date.now() - since, slowest: req.query.slowest === 'true', limit,
    }));
  }));
  v1.get('/apps/:app/traces/:traceId', route(async (req, res) => {
    const traceId = String(req.params.traceId);
    res.json({ traceId, spans: await telemetry().showTrace(parseAppName(req.params.app), traceId) });
  }));
}
