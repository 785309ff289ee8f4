import { describe, expect, it } from 'vitest';
import { TICKET_TTL_MS, TicketBook } from './tickets.js';

describe('TicketBook', () => {
  it('issues read-only tickets that work until they expire', () => {
    let now = 0;
    const book = new TicketBook(() => now);
    const { ticket } = book.issue({ name: 'admin', scopes: ['admin'] });
    expect(book.redeem(ticket)).toEqual({ name: 'admin (ticket)', scopes: ['read'] });
    now += TICKET_TTL_MS - 1;
    expect(book.redeem(ticket)).toBeDefined();
    now += 1;
    expect(book.redeem(ticket)).toBeUndefined();
    expect(book.redeem('dft_made-up')).toBeUndefined();
  });
});
