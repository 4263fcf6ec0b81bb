/** Every scenario of the suite, in the order of the table; a run that recorded all of them is a whole run. */
export const SCENARIOS = [
  'worker SIGKILL mid-batch',
  'Redis killed, AOF',
  'Redis killed, no persistence',
  'pg_terminate_backend, repeated',
  'Postgres stopped 10 s',
  'SMTP down 30 s',
  'SMTP 421/451',
  'SMTP 550 for some recipients',
  'SMTP slow final reply',
  'Stripe API faults',
  'events out of order and redelivered',
  'ingest SIGTERM under load',
  'abuse',
];
