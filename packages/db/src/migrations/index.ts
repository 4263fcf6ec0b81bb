import type { Migration } from 'kysely/migration';
import * as orders from './0001-orders.ts';
import * as emailLease from './0002-email-lease.ts';
import * as checkoutModes from './0003-checkout-modes.ts';
import * as afterPayment from './0004-after-payment.ts';
import * as reconcileCheckpoint from './0005-reconcile-checkpoint.ts';

/** Every migration, by name; names sort in the order they apply. */
export const migrations: Record<string, Migration> = {
  '0001-orders': orders,
  '0002-email-lease': emailLease,
  '0003-checkout-modes': checkoutModes,
  '0004-after-payment': afterPayment,
  '0005-reconcile-checkpoint': reconcileCheckpoint,
};
