/**
 * The backend's Edge Functions (issue 17, backend/functions/): list an app's functions with
 * their counters, deploy one from its folder's files, read its log. A deploy's body is JSON
 * with the files base64-encoded, sent as `application/vnd.devflow.function+json` so it gets its
 * own size limit (a function's folder may carry node_modules) instead of the API's 1 MB.
 */
import express from 'express';
import type { FunctionUpload } from '../../backend/index.js';
import { DevflowError, InvalidInputError } from '../../core/errors.js';
import { parseAppName } from '../../core/names.js';
import type { ApiDeps } from '../deps.js';
import { parsePositiveInt, route } from './handler.js';

export const FUNCTION_UPLOAD_TYPE = 'application/vnd.devflow.function+json';
/** The largest files backend/functions accepts (50 MB), base64-encoded, with room for the JSON. */
const UPLOAD_LIMIT = '70mb';

/** The deploy body, checked field by field. */
export function parseFunctionUpload(body: unknown): FunctionUpload {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { files?: unknown }).files)) {
    throw new InvalidInputError(`send ${FUNCTION_UPLOAD_TYPE}: {"files": [{"path": "index.ts", "content": "<base64>"}], "verifyJwt": true}`);
  }
  const { files, verifyJwt, root } = body as { files: unknown[]; verifyJwt?: unknown; root?: unknown };
  if (verifyJwt !== undefined && typeof verifyJwt !== 'boolean') throw new InvalidInputError('verifyJwt must be true or false');
  if (root !== undefined && typeof root !== 'string') throw new InvalidInputError("root must be the path of the function's folder among the files");
  return {
    verifyJwt: verifyJwt ?? true,
    ...(root === undefined ? {} : { root }),
    files: files.map((file) => {
      const { path, content } = (file ?? {}) as { path?: unknown; content?: unknown };
      if (typeof path !== 'string' || typeof content !== 'string') throw new InvalidInputError('each file needs a path and a base64 content');
      return { path, content: Buffer.from(content, 'base64') };
    }),
  };
}

export function registerFunctionRoutes(v1: express.Router, deps: ApiDeps): void {
  const functions = () => {
    if (!deps.backend) throw new DevflowError('runtime_unavailable', 'the app backend is not available on this DevFlow');
    return deps.backend.functions;
  };
  v1.get('/apps/:app/functions', route(async (req, res) => {
    res.json(await functions().list(parseAppName(req.params.app)));
  }));
  v1.put('/apps/:app/functions/:name', express.json({ type: FUNCTION_UPLOAD_TYPE, limit: UPLOAD_LIMIT }), route(async (req, res) => {
    res.json(await functions().deploy(parseAppName(req.params.app), String(req.params.name), parseFunctionUpload(req.body)));
  }));
  v1.get('/apps/:app/functions/:name/logs', route(async (req, res) => {
    const limit = req.query.lines === undefined ? 200 : Math.min(parsePositiveInt(req.query.lines, 'number of lines'), 2000);
    res.json(await functions().logs(parseAppName(req.params.app), String(req.params.name), limit));
  }));
}
