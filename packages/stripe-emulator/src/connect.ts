import type { FastifyRequest } from 'fastify';
import { headerValue } from './api-hooks.ts';
import { invalidRequest } from './errors.ts';
import { newId } from './ids.ts';
import type { EmulatorState } from './store.ts';
import type { ConnectedAccount } from './types.ts';

const ACCOUNT_ID = /^acct_[A-Za-z0-9]{1,255}$/;

/**
 * The account a request acts for: its `Stripe-Account` header, or its `Stripe-Context` (which stripe-node sends
 * for `/v2` and for an event notification's `fetchRelatedObject`), or null for the platform. An account the
 * emulator does not know is refused as Stripe refuses it.
 */
export function requestAccount(state: EmulatorState, request: FastifyRequest): string | null {
  const account = headerValue(request, 'stripe-account') ?? headerValue(request, 'stripe-context');
  if (account === null) return null;
  if (!ACCOUNT_ID.test(account) || !state.accounts.has(account)) {
    throw invalidRequest(
      `The provided key does not have access to account '${account}' (or that account does not exist). Application access may have been revoked.`,
      undefined,
      403,
    );
  }
  return account;
}

/** Connects an account to the platform; `id` may be chosen (`acct_…`), as tests name their accounts. */
export function createAccount(
  state: EmulatorState,
  input: { id?: string; email?: string | null },
): ConnectedAccount {
  const id = input.id ?? newId('acct', 16);
  if (!ACCOUNT_ID.test(id)) throw invalidRequest(`Invalid account id: ${id}`, 'id');
  if (state.accounts.has(id)) throw invalidRequest(`Account ${id} already exists.`, 'id');
  const account: ConnectedAccount = {
    id,
    object: 'account',
    business_type: null,
    charges_enabled: true,
    country: 'US',
    created: state.now(),
    default_currency: 'usd',
    details_submitted: true,
    email: input.email ?? null,
    metadata: {},
    payouts_enabled: true,
    type: 'standard',
  };
  state.accounts.set(id, account);
  return account;
}
