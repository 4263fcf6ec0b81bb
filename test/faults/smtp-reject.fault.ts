import { expect, it } from 'vitest';
import { runScenario } from './support/scenario.ts';

// Every tenth customer has an address the server refuses for good, in each form RFC 5321 and 6531 allow.
const FORMS = [
  (i: number) => `ünï${i}@exämple.de`,
  (i: number) => `x${i}@[192.0.2.1]`,
  (i: number) => `user${i}@localhost`,
  (i: number) => `gone.${i}+tag@example.com`,
];
const rejected = new Set<string>();
const emailFor = (i: number) => {
  if (i % 10 !== 3) return `customer-${i}@example.com`;
  const address = (FORMS[((i / 10) % FORMS.length) | 0] as (i: number) => string)(i);
  rejected.add(address);
  return address;
};

it('550 for some recipients fails those emails at once and visibly, never twice, and loses no order', async () => {
  const found = await runScenario({
    name: 'SMTP 550 for some recipients',
    plan: { paid: 200, expired: 10, emailFor },
    rejects: (address) => rejected.has(address),
    quiescenceTimeoutMs: 60_000,
    inject: async ({ stack }) => {
      stack.smtp.faults.rejectRecipient = (address) => rejected.has(address);
      return { faults: `550 for ${rejected.size} recipients`, healedAt: Date.now() };
    },
    check: async ({ stack }) => {
      // Visible: the outbox row says why, without the address, and is not marked sent.
      const { rows } = await stack.pool.query<{ state: string; last_error: string | null; email: string }>(
        `select o.state, o.last_error, r.customer_email as email
           from email_outbox o join orders r on r.id = o.order_id
          where r.customer_email = any($1)`,
        [[...rejected]],
      );
      const found: string[] = [];
      const invisible = rows.filter((r) => r.state === 'sent' || !r.last_error?.includes('550'));
      if (invisible.length > 0) found.push(`${invisible.length} rejected emails without a recorded 550`);
      const leaked = rows.filter((r) => r.last_error?.includes(r.email));
      if (leaked.length > 0) found.push(`${leaked.length} outbox errors hold the full address`);
      const failedJobs = await stack.queues.email.getFailedCount();
      if (failedJobs < rejected.size)
        found.push(`${failedJobs} failed email jobs for ${rejected.size} rejections`);
      return found;
    },
  });
  expect(found).toEqual([]);
});
