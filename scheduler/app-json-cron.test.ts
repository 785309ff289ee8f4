import { describe, expect, it } from 'vitest';
import { parseAppJsonCron } from './app-json-cron.js';

describe('app.json cron (Dokku shape)', () => {
  it.each([
    ['{}', undefined],
    ['{"cron": []}', []],
    ['{"cron": [{"command": " node jobs/digest.js ", "schedule": "0 7 * * *"}, {"command": "x", "schedule": "@hourly"}]}',
      [{ command: 'node jobs/digest.js', schedule: '0 7 * * *' }, { command: 'x', schedule: '@hourly' }]],
  ])('reads %s', (text, entries) => expect(parseAppJsonCron(text)).toEqual(entries));

  it.each([
    ['{"cron": {}}', /cron must be a list/],
    ['{"cron": ["x"]}', /cron\[0\] must be an object/],
    ['{"cron": [{"schedule": "@daily"}]}', /cron\[0\]\.command must be/],
    ['{"cron": [{"command": "x", "schedule": "@daily"}, {"command": "y", "schedule": "0 25 * * *"}]}',
      /cron\[1\]\.schedule "0 25 \* \* \*": hour field: 25 is out of range 0-23/],
    ['{"cron": [{"command": "x", "schedule": "0 0 31 2 *"}]}', /never matches a real date/],
    ['{"cron": [', /not valid JSON/],
  ])('refuses %s', (text, message) => expect(() => parseAppJsonCron(text)).toThrow(message));
});
