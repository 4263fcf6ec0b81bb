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
  OrderHistoryRow,
  OrderHistoryTable,
  OrderItem,
  OrderItemsTable,
  OrderMode,
  OrderStatus,
  OrdersTable,
  OrderUpdate,
  OutboxRow,
  OutboxState,
  PostalAddress,
  ReconcileCheckpointsTable,
  ShopWebhookEndpointsTable,
  ShopWebhookOutboxTable,
  ShopWebhookRow,
  ShopWebhookState,
  StripeEventsTable,
} from './schema.ts';
