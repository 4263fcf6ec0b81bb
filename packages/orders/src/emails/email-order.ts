import type { PostalAddress } from '@fulfill/db';

export type EmailAddress = PostalAddress;

/** What an order email shows. All amounts are Stripe minor units in `currency`. */
export interface EmailOrder {
  orderIdentifier: string;
  customerName: string | null;
  currency: string;
  /** `discount` is the positive amount taken off; emails show it as negative. */
  amounts: { subtotal: number; discount: number; tax: number; shipping: number; total: number };
  items: Array<{ description: string; quantity: number; amountTotal: number }>;
  shipping: { name: string | null; address: EmailAddress } | null;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}
