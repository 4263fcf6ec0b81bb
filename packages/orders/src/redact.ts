const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}/g;

/** Masks every email address in a text (`b***@***`), for log lines and job failure reasons. */
export function redactEmails(text: string): string {
  return text.replace(EMAIL, '$1***@***');
}
