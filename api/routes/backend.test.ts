import { describe, expect, it } from 'vitest';
import { parseBackendSettings } from './backend.js';

describe('parseBackendSettings', () => {
  it('takes the keyless switch and known auth settings', () => {
    expect(parseBackendSettings({ keylessAnon: true })).toEqual({ keylessAnon: true });
    expect(parseBackendSettings({ auth: { mailerAutoconfirm: false, jwtExpiry: 600 } })).toEqual({ auth: { mailerAutoconfirm: false, jwtExpiry: 600 } });
  });

  it('takes OAuth providers as Supabase Auth names them; an empty url removes it', () => {
    expect(parseBackendSettings({ external: { github: { enabled: true, clientId: 'Iv1.abc', secret: 's', url: 'https://ghe.example.com' }, google: { url: '' } } }))
      .toEqual({ external: { github: { enabled: true, clientId: 'Iv1.abc', secret: 's', url: 'https://ghe.example.com' }, google: { url: null } } });
  });

  it.each([
    [{ external: { gitlab: {} } }, 'unknown OAuth provider'],
    [{ external: { github: { clientSecret: 'x' } } }, 'unknown setting external.github.clientSecret'],
    [{ external: { github: { enabled: 'yes' } } }, 'must be a boolean'],
    [{ external: { github: { clientId: ' ' } } }, '1 to 512 characters'],
    [{ external: { github: { url: 'file:///etc/passwd' } } }, 'http(s) URL'],
    [{ external: { github: { url: 'https://u:p@ghe.example.com' } } }, 'without credentials'],
  ])('refuses the provider setting %j', (body, message) => {
    expect(() => parseBackendSettings(body)).toThrow(message);
  });

  it.each([
    [null, 'JSON object'],
    [{ keylessAnon: 'yes' }, 'true or false'],
    [{ colour: 'blue' }, 'unknown backend setting'],
    [{ auth: { mailer: true } }, 'unknown auth setting'],
    [{ auth: { siteUrl: 3 } }, 'must be a string'],
    [{ auth: { jwtExpiry: 5 } }, 'at least 60'],
  ])('refuses %j', (body, message) => {
    expect(() => parseBackendSettings(body)).toThrow(message);
  });
});
