import nodemailer from 'nodemailer';
import type { Mailer } from '../directory/outbox/outbox.js';

/** Sends outbox mail over SMTP with nodemailer; `url` is ROSTER_SMTP_URL (smtp:// or smtps://). */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text, messageId: message.messageId });
    },
  };
}
