export { type CreateDbOptions, createDb } from './create-db.ts';
export {
  DATABASE_MISSING,
  databaseSetupProblem,
  ensureDatabase,
  isDatabaseMissing,
} from './ensure-database.ts';
export { migrateToLatest } from './migrate.ts';
export { migrations } from './migrations/index.ts';
export type {
  CheckoutExpirationsTable,
  Database,
  EmailKind,
  EmailOutboxTable,
  NewOrder,
  NewOrderItem,
  Order,
  OrderItem,
  OrderItemsTable,
  OrderStatus,
  OrdersTable,
  OrderUpdate,
  OutboxRow,
  OutboxState,
  PostalAddress,
  ReconcileCheckpointsTable,
  StripeEventsTable,
} from './schema.ts';
