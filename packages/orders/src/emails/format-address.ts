import type { EmailAddress } from './email-order.ts';

function present(value: string | null): value is string {
  return value !== null && value.trim() !== '';
}

/** The address as display lines (raw, unescaped), skipping empty parts. */
export function addressLines(address: EmailAddress): string[] {
  const region = [address.state, address.postal_code].filter(present).join(' ');
  const locality = [address.city, region].filter(present).join(', ');
  return [address.line1, address.line2, locality, address.country].filter(present);
}

/** Recipient name followed by the address lines; empty when there is nothing to show. */
export function shippingLines(shipping: { name: string | null; address: EmailAddress }): string[] {
  return [shipping.name, ...addressLines(shipping.address)].filter(present);
}
