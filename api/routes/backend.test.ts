import { describe, expect, it } from 'vitest';
import { parseBackendSettings } from './backend.js';

describe('parseBackendSettings', () => {
  it('takes the keyless switch and known auth settings', () => {
    expect(parseBackendSettings({ keylessAnon: true })).toEqual({ keylessAnon: true });
    expect(parseBackendSettings({ auth: { mailerAutoconfirm: false, jwtExpiry: 600 } })).toEqual({ auth: { mailerAutoconfirm: false, jwtExpiry: 600 } });
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
