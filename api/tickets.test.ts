import { describe, expect, it } from 'vitest';
import { TICKET_TTL_MS, TicketBook } from './tickets.js';

describe('TicketBook', () => {
  it('issues read-only tickets that work until they expire', () => {
    let now = 0;
    const book = new TicketBook(() => now);
    const teams = new Map([[3, 'developer' as const]]);
    const { ticket } = book.issue({ actor: 'ada@example.com', personId: 1, scopes: ['admin'], teams, apps: null, sessionId: 9 });
    expect(book.redeem(ticket)).toEqual({ actor: 'ada@example.com (ticket)', personId: 1, scopes: ['read'], teams, apps: null, sessionId: 9 });
    now += TICKET_TTL_MS - 1;
    expect(book.redeem(ticket)).toBeDefined();
    now += 1;
    expect(book.redeem(ticket)).toBeUndefined();
    expect(book.redeem('dft_made-up')).toBeUndefined();
  });
});
