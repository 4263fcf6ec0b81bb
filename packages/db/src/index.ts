export { createDb } from './create-db.ts';
export { migrateToLatest } from './migrate.ts';
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
  StripeEventsTable,
} from './schema.ts';
