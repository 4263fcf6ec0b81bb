// The one implementation lives beside the logger, which masks every line with it; the domain re-exports it for
// the places that store or print a failure reason (the outbox row, `ops failed`).
export { redactEmails } from '@fulfill/observability';
