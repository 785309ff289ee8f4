import { describe, expect, it } from 'vitest';
import { LogQueryError, parseLogQuery } from './query-parser.js';
import { compileLogQuery, escapeLike } from './query-sql.js';

const compile = (query: string, before = 0) => compileLogQuery(parseLogQuery(query)!, before);

describe('compileLogQuery', () => {
  it.each<[string, string, string[]]>([
    ['timeout', 'line ILIKE $1', ['%timeout%']],
    ['"50% off_now"', 'line ILIKE $1', ['%50\\% off\\_now%']],
    ['level:error', 'fields @> $1::text::jsonb', ['{"level":"error"}']],
    ['req.method:GET', 'fields @> $1::text::jsonb', ['{"req":{"method":"GET"}}']],
    ['status:500', '(fields @> $1::text::jsonb OR fields @> $2::text::jsonb)', ['{"status":500}', '{"status":"500"}']],
    ['ok:true', '(fields @> $1::text::jsonb OR fields @> $2::text::jsonb)', ['{"ok":true}', '{"ok":"true"}']],
    ['user:*', 'fields -> $1 IS NOT NULL', ['user']],
    ['status>=500', "CASE WHEN jsonb_typeof(fields -> $1) = 'number' THEN (fields -> $1)::numeric >= $2::numeric END", ['status', '500']],
    ['http.ms<1.5', "CASE WHEN jsonb_typeof(fields -> $1 -> $2) = 'number' THEN (fields -> $1 -> $2)::numeric < $3::numeric END", ['http', 'ms', '1.5']],
    ['process:web', 'process_type = $1', ['web']],
    ['instance:shop-web-v3-1-ab12', 'instance = $1', ['shop-web-v3-1-ab12']],
    ['release:v12', 'release = $1::int', ['12']],
    ['release>=3', 'release >= $1::numeric', ['3']],
    ['-healthz', 'NOT COALESCE(line ILIKE $1, false)', ['%healthz%']],
    ['a b', '(line ILIKE $1 AND line ILIKE $2)', ['%a%', '%b%']],
    ['a OR -b', '(line ILIKE $1 OR NOT COALESCE(line ILIKE $2, false))', ['%a%', '%b%']],
    ['"x\'); DROP TABLE apps; --" level:"\'"', '(line ILIKE $1 AND fields @> $2::text::jsonb)', ["%x'); DROP TABLE apps; --%", '{"level":"\'"}']],
  ])('%j', (query, text, params) => {
    expect(compile(query)).toEqual({ text, params });
  });

  it('numbers its placeholders after the statement parameters before it', () => {
    expect(compile('level:error oops', 3)).toEqual({ text: '(fields @> $4::text::jsonb AND line ILIKE $5)', params: ['{"level":"error"}', '%oops%'] });
  });

  it.each<[string, string]>([
    ['release:latest', 'query: release is a release number such as 12 or v12, not "latest" (at column 1)'],
    ['a process>2', 'query: process is text; compare it with ":" (at column 3)'],
  ])('refuses %j', (query, message) => {
    expect(() => compile(query)).toThrow(LogQueryError);
    expect(() => compile(query)).toThrow(message);
  });

  it('escapes the LIKE wildcards and the escape character', () => {
    expect(escapeLike('a%b_c\\d')).toBe('a\\%b\\_c\\\\d');
  });
});
