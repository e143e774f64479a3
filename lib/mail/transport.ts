// Mail, behind one interface (README: "Sending mail"). There is no mail server by default: the
// log transport writes each message to the server log, where an operator finds a link a user
// asked for. An SMTP or API sender implements MailTransport and is installed at start-up with
// setMailTransport (e.g. from instrumentation.ts).
import "server-only";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface MailTransport {
  send(message: MailMessage): Promise<void>;
}

/** Writes the message to the server log: the default while no sender is configured. */
export const logTransport: MailTransport = {
  async send({ to, subject, text }) {
    console.log(`mail to ${to} — ${subject}\n${text}`);
  },
};

let transport: MailTransport = logTransport;

export function setMailTransport(next: MailTransport): void {
  transport = next;
}

/** Sends through the installed transport; a failure to send is logged, never the caller's error. */
export async function sendMail(message: MailMessage): Promise<void> {
  try {
    await transport.send(message);
  } catch (error) {
    console.error(`mail to ${message.to} was not sent:`, error);
  }
}
