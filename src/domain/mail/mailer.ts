import type { Db } from '../../db/client';
import { mailOutbox } from '../../db/schema';
import { newId } from '../../lib/ids';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** How the platform sends mail. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/**
 * Writes messages to the D1 outbox. In development and tests they are read back through
 * `/api/v1/dev/outbox`; a deployment relays the outbox to its mail provider.
 */
export function outboxMailer(db: Db): Mailer {
  return {
    async send(message) {
      await db.insert(mailOutbox).values({ id: newId('mail'), ...message, createdAt: Date.now() });
    },
  };
}
