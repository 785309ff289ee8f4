/**
 * 2fa, 2fa:enable, 2fa:disable (issue 19): two-factor sign-in with an authenticator app (TOTP,
 * RFC 6238) for the person signed in with `devflow login --email`. Enabling shows the otpauth
 * URI as a QR code in the terminal (qrcode, npm) and as text, asks for a code from the app to
 * confirm, and prints the recovery codes once. Codes are read from stdin.
 */
import { createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';
import { stdinLines } from './login.js';

export async function showTwoFactor({ opts }: CommandInput<OutputOptions>): Promise<void> {
  const state = await createClient(process.env).request<{ enabled: boolean }>('GET', '/auth/totp');
  print(opts, state, () => (state.enabled ? 'Two-factor sign-in is on' : 'Two-factor sign-in is off: turn it on with `devflow 2fa:enable`'));
}

export async function enableTwoFactor(): Promise<void> {
  const client = createClient(process.env);
  const started = await client.request<{ secret: string; uri: string }>('POST', '/auth/totp');
  console.log('Scan this with your authenticator app, or type the secret into it:\n');
  // Loaded here only: the other commands start without it.
  const { default: QRCode } = await import('qrcode');
  console.log(await QRCode.toString(started.uri, { type: 'terminal', small: true }));
  console.log(`Secret: ${started.secret}\nURI:    ${started.uri}\n`);
  const input = stdinLines();
  let done: { recoveryCodes: string[] };
  try {
    done = await client.request('POST', '/auth/totp/confirm', { code: (await input.ask('Code shown by the app: ')).trim() });
  } finally {
    input.close();
  }
  console.log('Two-factor sign-in is on. Recovery codes (each works once, in place of a code; keep them safe, they are not shown again):');
  console.log(done.recoveryCodes.map((c) => `  ${c}`).join('\n'));
}

export async function disableTwoFactor(): Promise<void> {
  const input = stdinLines();
  try {
    const code = (await input.ask('Code shown by the app (or a recovery code): ')).trim();
    await createClient(process.env).request('POST', '/auth/totp/disable', { code });
  } finally {
    input.close();
  }
  console.log('Two-factor sign-in is off');
}
