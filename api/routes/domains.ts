/**
 * /api/v1/apps/{app}/domains: custom domains and the state of their certificates (issue 5), and
 * /api/v1/apps/{app}/https-redirect. Names are parsed once here (parseDomainName); a domain
 * belongs to one app (409 otherwise). Adding one asks for a certificate at once, so the answer
 * already shows `pending`; the router issues it in the background.
 */
import type express from 'express';
import { InvalidInputError } from '../../core/errors.js';
import { parseAppName, parseDomainName } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import { requestCertificate } from '../../core/store/certificates.js';
import {
  addDomain, findDomain, getHttpsRedirect, listDomains, removeDomain, setHttpsRedirect, type DomainRecord,
} from '../../core/store/domains.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

/** `pending`, `issued`, or `failed: <reason>`: the one-word state users read first. */
export function certificateStatus(domain: DomainRecord): string {
  const cert = domain.certificate;
  if (cert === null) return 'pending';
  if (cert.state === 'failed') return `failed: ${cert.reason ?? 'unknown reason'}`;
  return cert.state;
}

export function domainView(domain: DomainRecord, httpsPort: number) {
  return {
    name: domain.name,
    app: domain.app,
    url: `https://${domain.name}${httpsPort === 443 ? '' : `:${httpsPort}`}/`,
    certificate: {
      status: certificateStatus(domain),
      state: domain.certificate?.state ?? 'pending',
      reason: domain.certificate?.reason ?? null,
      expiresAt: domain.certificate?.notAfter ?? null,
    },
    createdAt: domain.createdAt,
  };
}

export function registerDomainRoutes(v1: express.Router, deps: ApiDeps): void {
  const view = (d: DomainRecord) => domainView(d, deps.config.httpsPort);
  const appOf = (req: express.Request) => getApp(deps.sql, parseAppName(req.params.app));

  v1.get('/apps/:app/domains', route(async (req, res) => {
    const app = await appOf(req);
    res.json((await listDomains(deps.sql, app.id)).map(view));
  }));

  v1.post('/apps/:app/domains', route(async (req, res) => {
    const app = await appOf(req);
    const body = req.body as { name?: unknown } | undefined;
    if (body?.name === undefined) throw new InvalidInputError('send a JSON body like {"name": "www.example.com"}');
    const name = parseDomainName(body.name);
    await addDomain(deps.sql, app.id, name);
    await requestCertificate(deps.sql, name, 'acme');
    await deps.domainsChanged?.();
    res.status(201).json(view((await findDomain(deps.sql, app.id, name))!));
  }));

  v1.delete('/apps/:app/domains/:domain', route(async (req, res) => {
    const app = await appOf(req);
    const name = parseDomainName(req.params.domain);
    await removeDomain(deps.sql, app.id, app.name, name);
    await deps.domainsChanged?.();
    res.json({ deleted: name });
  }));

  v1.put('/apps/:app/https-redirect', route(async (req, res) => {
    const app = await appOf(req);
    const enabled = (req.body as { enabled?: unknown } | undefined)?.enabled;
    if (typeof enabled !== 'boolean') throw new InvalidInputError('send a JSON body like {"enabled": true}');
    await setHttpsRedirect(deps.sql, app.id, enabled);
    await deps.domainsChanged?.();
    res.json({ app: app.name, httpsRedirect: await getHttpsRedirect(deps.sql, app.id) });
  }));
}
