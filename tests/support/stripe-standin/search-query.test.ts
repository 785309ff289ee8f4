import { describe, expect, it } from 'vitest';
import { matchesQuery, parseSearchQuery, type Query } from './search-query.js';

const FIELDS = ['email', 'name'];

describe('customer search queries', () => {
  it.each([
    [`metadata['team_id']:'7'`, { join: 'AND', clauses: [{ field: 'metadata', metadataKey: 'team_id', op: ':', value: '7' }] }],
    [`email:"a@b.co" AND name~'ann'`, { join: 'AND', clauses: [
      { field: 'email', metadataKey: undefined, op: ':', value: 'a@b.co' },
      { field: 'name', metadataKey: undefined, op: '~', value: 'ann' }] }],
    [`email:'a' OR email:'b'`, { join: 'OR', clauses: [
      { field: 'email', metadataKey: undefined, op: ':', value: 'a' },
      { field: 'email', metadataKey: undefined, op: ':', value: 'b' }] }],
  ])('parses %s', (text, query) => {
    expect(parseSearchQuery(text, FIELDS)).toEqual(query);
  });

  it.each([
    [`phone:'1'`, 'field "phone" is not supported'],
    [`email:'a' AND name:'b' OR name:'c'`, 'may not mix'],
    [`email:a`, 'could not parse'],
    [`email:'a' name:'b'`, 'expected AND or OR'],
  ])('refuses %s', (text, message) => {
    expect(parseSearchQuery(text, FIELDS)).toContain(message);
  });

  it('matches exact, substring and metadata clauses', () => {
    const customer = { email: 'ann@acme.test', name: 'Ann Lee', metadata: { team_id: '7' } };
    const q = (text: string) => parseSearchQuery(text, FIELDS) as Query;
    expect(matchesQuery(customer, q(`metadata['team_id']:'7'`))).toBe(true);
    expect(matchesQuery(customer, q(`metadata['team_id']:'8'`))).toBe(false);
    expect(matchesQuery(customer, q(`name~'LEE' AND email:'ann@acme.test'`))).toBe(true);
    expect(matchesQuery(customer, q(`email:'x' OR name~'ann'`))).toBe(true);
    expect(matchesQuery(customer, q(`metadata['other']:'7'`))).toBe(false);
  });
});
