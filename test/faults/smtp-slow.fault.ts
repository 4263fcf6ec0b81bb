import { expect, it } from 'vitest';
import { runScenario } from './support/scenario.ts';

it('a server slow to give its final reply (35 s) gets each message once', async () => {
  const found = await runScenario({
    name: 'SMTP slow final reply',
    quiescenceTimeoutMs: 120_000,
    inject: async ({ stack }) => {
      // Longer than the 30 s socket timeout nodemailer defaults to; RFC 5321 gives a server 10 minutes.
      stack.smtp.faults.finalReplyDelayMs = 35_000;
      stack.smtp.faults.finalReplyDelayCount = 10;
      return { faults: '10 final replies after 35 s', healedAt: Date.now() };
    },
    check: async ({ stack }) => {
      // A client that gave up while the server was about to answer 250 sends the message again; a server that
      // kept the first copy delivers both. The full data of a message must reach the server only once.
      const seen = new Map<string, number>();
      for (const mail of stack.smtp.received) {
        const id = mail.messageId ?? '';
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
      const resent = [...seen.values()].filter((n) => n > 1).length;
      const found = resent > 0 ? [`${resent} messages sent again after the client gave up on the reply`] : [];
      if (stack.smtp.stats.abandoned.length > 0) {
        found.push(`${stack.smtp.stats.abandoned.length} clients left before the final reply`);
      }
      return found;
    },
  });
  expect(found).toEqual([]);
});
