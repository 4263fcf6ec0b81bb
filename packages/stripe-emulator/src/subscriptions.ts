import { newId } from './ids.ts';
import type { EmulatorState, SessionRecord } from './store.ts';
import type { Subscription } from './types.ts';

const DAY = 24 * 60 * 60;

/**
 * The subscription a completed sign-up starts, with its first invoice: `trialing` until the trial ends when the
 * session asked for one, else `active` once the first invoice is paid. Later invoices are not modelled.
 */
export function startSubscription(state: EmulatorState, record: SessionRecord, paid: boolean): Subscription {
  const now = state.now();
  const trialEnd = record.trialDays === null ? null : now + record.trialDays * DAY;
  const subscription: Subscription = {
    id: newId('sub'),
    object: 'subscription',
    created: now,
    currency: record.session.currency ?? 'usd',
    customer: newId('cus', 14),
    latest_invoice: newId('in'),
    livemode: false,
    metadata: {},
    status: trialEnd !== null ? 'trialing' : paid ? 'active' : 'incomplete',
    trial_end: trialEnd,
    trial_start: trialEnd === null ? null : now,
  };
  state.subscriptions.set(subscription.id, subscription);
  state.accountOf.set(subscription.id, record.account);
  return subscription;
}
