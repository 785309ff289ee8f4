/**
 * The vespa add-on against a stand-in of a Vespa container endpoint (tests/support/vespa-standin.ts):
 * no Vespa can run on these machines, so the stand-in answers the health and application-status
 * calls as Vespa 8 does. Checked: a namespace per app with VESPA_URL bound, credentials in the URL
 * sealed apart and masked, and an unreachable, not-up, undeployed or credential-refusing endpoint
 * as a 400 saying which.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { closedPort } from '../../tests/support/closed-port.js';
import { startVespaStandIn, type VespaStandIn } from '../../tests/support/vespa-standin.js';
import type { StoredAddon } from '../provider.js';
import { VespaProvider } from './provider.js';

const app = { id: 1, name: parseAppName('shop') };
const provider = new VespaProvider();
let open: VespaStandIn;
let guarded: VespaStandIn;

beforeAll(async () => {
  open = await startVespaStandIn();
  guarded = await startVespaStandIn({ credentials: 'search:pa55word' });
});

afterAll(async () => {
  await open?.close();
  await guarded?.close();
});

const stored = (provisioned: Awaited<ReturnType<VespaProvider['provision']>>): StoredAddon =>
  ({ ...provisioned, id: 1, app, kind: 'vespa', name: 'vespa-abc123', createdAt: new Date() });

describe('the vespa add-on', () => {
  it('checks the endpoint and gives the app VESPA_URL and a namespace of its own', async () => {
    const addon = stored(await provider.provision(app, { url: `${open.url}/` }));
    expect(provider.bindEnv(addon)).toEqual({ VESPA_URL: open.url, VESPA_NAMESPACE: 'app-shop' });
    expect(provider.describe(addon)).toEqual({ plan: 'document namespace app-shop on your Vespa', connection: open.url, info: { namespace: 'app-shop' } });
  });

  it('keeps credentials in the URL sealed apart and masked, and sends them', async () => {
    const url = guarded.url.replace('http://', 'http://search:pa55word@');
    const addon = stored(await provider.provision(app, { url }));
    expect(JSON.stringify(addon.settings)).not.toContain('pa55word');
    expect(addon.secret).toBe('search:pa55word');
    expect(provider.bindEnv(addon).VESPA_URL).toBe(url);
    expect(provider.describe(addon).connection).toBe(guarded.url.replace('http://', 'http://search:****@'));
    await expect(provider.provision(app, { url: guarded.url })).rejects.toThrow(`vespa at ${guarded.url} refused the request (HTTP 401): check the credentials in --url`);
  });

  it('refuses an unreachable, not-up or undeployed endpoint, and a bad --url, saying which', async () => {
    const closed = await closedPort();
    await expect(provider.provision(app, { url: `http://127.0.0.1:${closed}` })).rejects.toMatchObject({
      code: 'invalid_input', message: `cannot reach vespa at http://127.0.0.1:${closed}: connection refused`,
    });
    open.state.code = 'initializing';
    await expect(provider.provision(app, { url: open.url })).rejects.toThrow(`vespa at ${open.url} is not up (status "initializing")`);
    open.state.code = 'up';
    open.state.deployed = false;
    await expect(provider.provision(app, { url: open.url })).rejects.toThrow(/has no application deployed \(GET \/ApplicationStatus answered HTTP 404\)/);
    open.state.deployed = true;
    await expect(provider.provision(app, {})).rejects.toThrow('name the server: --url http://search.internal:8080');
    await expect(provider.provision(app, { url: 'bolt://x:1' })).rejects.toThrow('--url must be http:// or https:// (got bolt://)');
  });
});
