export { buildApp } from './app.ts';
export type { IngestDeps, IngestSettings, IngestStripe, VerifiedEvent } from './deps.ts';
export { HTTP_ERRORS, type HttpErrorCode } from './errors.ts';
