/**
 * Where the demo and the tests look for PostgreSQL and Redis when no URL is given: the local default ports,
 * as `docker-compose.services.yml` publishes them (a test holds the two together).
 */

/** A server the tests may create databases on: user postgres, no password (trust), on 127.0.0.1:5432. */
export const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
/** The demo's database on that server; the demo creates it when it is missing. */
export const DEMO_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/fulfill_demo';
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';
/** Mailpit's SMTP and web ports, for running the worker by hand against docker-compose.services.yml. */
export const LOCAL_SMTP_URL = 'smtp://127.0.0.1:1025';
export const LOCAL_MAIL_UI_URL = 'http://127.0.0.1:8025';
