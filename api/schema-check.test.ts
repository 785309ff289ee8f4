import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.js';
import { checkSchema } from './schema-check.js';

const doc = openApiDocument();
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

describe('checkSchema', () => {
  it('accepts a valid app and reports each problem of an invalid one', () => {
    const app = { name: 'a', url: 'http://a/', gitUrl: 'g', deployBranch: 'main', currentRelease: null, status: 'new', lastDeployment: null, createdAt: new Date().toISOString() };
    expect(checkSchema(app, ref('App'), doc)).toEqual([]);
    const bad = { ...app, currentRelease: 'v1', status: 'weird', createdAt: 'yesterday' };
    delete (bad as Record<string, unknown>).url;
    expect(checkSchema(bad, ref('App'), doc)).toEqual([
      '$: missing "url"',
      '$.currentRelease: expected ["integer","null"], got string',
      '$.status: "weird" is not one of ["new","deploying","running","failed"]',
      '$.createdAt: "yesterday" is not a date-time',
    ]);
  });

  it('checks arrays item by item, allOf parts and additionalProperties', () => {
    expect(checkSchema([{ error: { code: 'x' } }], { type: 'array', items: ref('Error') }, doc)).toEqual(['$[0].error: missing "message"']);
    expect(checkSchema({ vars: { A: 1 } }, ref('ConfigVars'), doc)).toEqual(['$.vars.A: expected "string", got number']);
    expect(checkSchema({ id: 1 }, ref('CreatedToken'), doc).length).toBeGreaterThan(0);
  });
});
