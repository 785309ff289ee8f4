import { describe, expect, it } from 'vitest';
import { authMail, type AuthMailKind } from './mail.js';

describe('authMail', () => {
  const kinds: AuthMailKind[] = ['signup', 'magiclink', 'recovery', 'invite', 'email_change'];
  for (const kind of kinds) {
    it(`${kind}: the link and code in text and html, addressed and filed under the project`, () => {
      const link = 'http://b.localhost/auth/v1/verify?token=abc&type=x&redirect_to=http%3A%2F%2Fa';
      const mail = authMail(kind, { from: 'f@x', to: 'ada@example.com', project: 'shop', link, otp: '012345' });
      expect(mail).toMatchObject({ from: 'f@x', to: 'ada@example.com', project: 'shop' });
      expect(mail.text).toContain(link);
      expect(mail.text).toContain('012345');
      expect(mail.html).toContain(link.replace(/&/g, '&#38;'));
    });
  }
  it('subjects differ per kind', () => {
    const subjects = new Set(kinds.map((k) => authMail(k, { from: '', to: '', project: '', link: '', otp: '' }).subject));
    expect(subjects.size).toBe(kinds.length);
  });
});
