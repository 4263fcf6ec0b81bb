/** "Hello Ada," when the name is known, otherwise "Hello,". Raw text; escape for HTML. */
export function greeting(customerName: string | null): string {
  const name = customerName?.trim();
  return name ? `Hello ${name},` : 'Hello,';
}
