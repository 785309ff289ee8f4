/**
 * Sending one mail over SMTP (RFC 5321, with nodemailer): the one transport the platform's mails
 * use, whoever writes them (backend/auth, accounts, telemetry alerts; platform.ts picks the
 * server). nodemailer is loaded on the first mail, so a DevFlow that never mails does not carry it.
 */

export interface OutgoingMail {
  from: string;
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  /** Files the mail under a project in the embedded catcher (the `X-DevFlow-Project` header). */
  project?: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}

export interface ClosableMailer extends Mailer {
  /** Closes the SMTP connections (and, for the platform mailer, its catcher). */
  close(): Promise<void>;
}

type Transport = import('nodemailer').Transporter;

/** A Mailer over SMTP, e.g. `smtp://user:pass@mail.example.com:587` or the catcher's URL. */
export function smtpMailer(url: string): ClosableMailer {
  let transport: Promise<Transport> | undefined;
  const open = async () => (await import('nodemailer')).default.createTransport(url);
  return {
    async send(mail) {
      transport ??= open();
      await (await transport).sendMail({
        from: mail.from, to: mail.to, subject: mail.subject, text: mail.text,
        ...(mail.html ? { html: mail.html } : {}),
        ...(mail.project === undefined ? {} : { headers: { 'X-DevFlow-Project': mail.project } }),
      });
    },
    async close() {
      if (transport) (await transport).close();
    },
  };
}
