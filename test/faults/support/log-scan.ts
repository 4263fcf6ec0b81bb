import type { ManagedProcess } from './fault-stack.ts';

// An address as RFC 5321 and 6531 allow it: any non-space local part, then a domain of Unicode labels, an IP
// literal or a bare host such as `localhost`. Message-IDs (`<order-…@shop.test>`) look the same and are not
// personal data, so they are left out.
const ADDRESS = /[^\s"'<>(),;:\\[\]@]+@(?:\[[^\]\s]+\]|[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*)/gu;
const MESSAGE_ID = /^order-[A-Za-z0-9]+-(?:confirmation|payment_failed)@/;
const SECRET = /\b(?:whsec_|sk_(?:test|live)_|rk_(?:test|live)_)[A-Za-z0-9_]*/g;
// 13 to 19 digits with a card network's prefix (Visa, Mastercard, Amex, Discover), optionally grouped by spaces
// or dashes, that pass the Luhn check. Epoch milliseconds (`17…`) are 13 digits too, and never match the prefix.
const CARD = /(?<![\d.])(?:4|5[1-5]|2[2-7]|3[47]|6(?:011|5))(?:[ -]?\d){11,17}(?![\d.])/g;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function excerpt(text: string, index: number): string {
  return text.slice(Math.max(0, index - 60), index + 60).replace(/\s+/g, ' ');
}

/**
 * Scans each process's whole output for an email address (the customers' own, in any form, and anything that
 * looks like one), a card-like number, or a Stripe secret. Returns one line per finding, with an excerpt.
 */
export function scanLogs(processes: ManagedProcess[], customerEmails: string[]): string[] {
  const findings: string[] = [];
  const known = [...new Set(customerEmails.filter((e) => e.length > 0))];
  for (const p of processes) {
    // Stack traces name packages as `name@1.2.3` inside node_modules paths; those are not addresses.
    const text = p.process.output().replace(/\S*node_modules\S*/g, '');
    const hits: string[] = [];
    for (const email of known) {
      const index = text.indexOf(email);
      if (index !== -1) hits.push(`customer address: …${excerpt(text, index)}…`);
    }
    for (const match of text.matchAll(ADDRESS)) {
      if (MESSAGE_ID.test(match[0]) || /@[\d.]+$/.test(match[0])) continue;
      hits.push(`address-like ${match[0]}: …${excerpt(text, match.index)}…`);
    }
    for (const match of text.matchAll(SECRET)) hits.push(`secret ${match[0].slice(0, 8)}…`);
    for (const match of text.matchAll(CARD)) {
      const digits = match[0].replace(/\D/g, '');
      if (digits.length >= 13 && luhn(digits)) hits.push(`card-like number: …${excerpt(text, match.index)}…`);
    }
    const unique = [...new Set(hits)];
    if (unique.length > 0) {
      findings.push(`${p.name} log: ${unique.length} leak(s), e.g. ${unique.slice(0, 2).join(' | ')}`);
    }
  }
  return findings;
}
