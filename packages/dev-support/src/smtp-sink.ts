import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  messageId: string | null;
  subject: string | null;
  raw: string;
}

/**
 * How the sink misbehaves; change the fields at any time, they apply to the next connection, recipient or
 * message. `greeting` refuses each new connection with that reply (421: service not available); `afterData`
 * answers the final `.` with a temporary failure (451) and keeps nothing; `rejectRecipient` answers
 * `550 5.1.1 <address>: mailbox unavailable` to the recipients it matches, echoing the address as real
 * servers do; `finalReplyDelayMs` holds the reply to the final `.` of the next `finalReplyDelayCount`
 * messages for that long.
 */
export interface SmtpSinkFaults {
  greeting: 421 | null;
  afterData: 451 | null;
  rejectRecipient: ((address: string) => boolean) | null;
  finalReplyDelayMs: number;
  finalReplyDelayCount: number;
}

/** What the sink saw besides the messages it accepted. */
export interface SmtpSinkStats {
  /** Connections refused at the greeting. */
  greetingsRefused: number;
  /** Messages answered with a temporary failure after their data. */
  temporaryFailures: number;
  /** One entry per recipient answered 550, in order, as the client gave it. */
  rejectedRecipients: string[];
  /** Messages whose data arrived in full but whose client left before the (delayed) final reply. */
  abandoned: ReceivedMail[];
}

export interface SmtpSink {
  port: number;
  url: string;
  /** Messages the sink accepted: only those it answered 250 to the final `.` of their data. */
  messages: ReceivedMail[];
  /** Every message whose data arrived in full, accepted or not: a second copy means the client sent it twice. */
  received: ReceivedMail[];
  faults: SmtpSinkFaults;
  stats: SmtpSinkStats;
  /** Clears every fault. */
  heal: () => void;
  /** Stops listening, as an SMTP outage would; `start` listens again on the same port. */
  stop: () => Promise<void>;
  start: () => Promise<void>;
}

function header(raw: string, name: string): string | null {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const match = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(unfolded);
  return match?.[1]?.trim() ?? null;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

const noFaults = (): SmtpSinkFaults => ({
  greeting: null,
  afterData: null,
  rejectRecipient: null,
  finalReplyDelayMs: 0,
  finalReplyDelayCount: 0,
});

/** A real SMTP server (the smtp-server package) on loopback that keeps what it receives. */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const received: ReceivedMail[] = [];
  const faults = noFaults();
  const stats: SmtpSinkStats = {
    greetingsRefused: 0,
    temporaryFailures: 0,
    rejectedRecipients: [],
    abandoned: [],
  };
  const closed = new Set<string>();
  const delays = new Set<NodeJS.Timeout>();
  let server: SMTPServer | null = null;
  let boundPort = port;

  const finish = (mail: ReceivedMail, session: SMTPServerSession, callback: (err?: Error | null) => void) => {
    if (closed.has(session.id)) {
      stats.abandoned.push(mail);
      return;
    }
    if (faults.afterData !== null) {
      stats.temporaryFailures += 1;
      callback(smtpError(faults.afterData, '4.3.0 Temporary failure, try again later'));
      return;
    }
    messages.push(mail);
    callback();
  };

  const start = async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      // An outage drops connections at once, as a dead server would; the default waits 30 s for clients.
      closeTimeout: 100,
      logger: false,
      onConnect(_session, callback) {
        if (faults.greeting === null) return callback();
        stats.greetingsRefused += 1;
        callback(smtpError(faults.greeting, '4.3.2 Service not available, closing transmission channel'));
      },
      onRcptTo(address, _session, callback) {
        if (faults.rejectRecipient?.(address.address)) {
          stats.rejectedRecipients.push(address.address);
          return callback(smtpError(550, `5.1.1 <${address.address}>: mailbox unavailable`));
        }
        callback();
      },
      onClose(session) {
        closed.add(session.id);
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const mail: ReceivedMail = {
            to: session.envelope.rcptTo.map((r) => r.address),
            messageId: header(raw, 'Message-ID'),
            subject: header(raw, 'Subject'),
            raw,
          };
          received.push(mail);
          if (faults.finalReplyDelayCount > 0 && faults.finalReplyDelayMs > 0) {
            faults.finalReplyDelayCount -= 1;
            const timer = setTimeout(() => {
              delays.delete(timer);
              finish(mail, session, callback);
            }, faults.finalReplyDelayMs);
            delays.add(timer);
            return;
          }
          finish(mail, session, callback);
        });
      },
    });
    const s = server;
    // A reply to a client that already left fails on its socket; that is the client's loss, not the sink's.
    s.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(boundPort, '127.0.0.1', () => resolve());
    });
    boundPort = (s.server.address() as AddressInfo).port;
  };

  const stop = async () => {
    const s = server;
    server = null;
    for (const timer of delays) clearTimeout(timer);
    delays.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await start();
  return {
    get port() {
      return boundPort;
    },
    get url() {
      return `smtp://127.0.0.1:${boundPort}`;
    },
    messages,
    received,
    faults,
    stats,
    heal: () => {
      Object.assign(faults, noFaults());
    },
    stop,
    start,
  };
}
