export {
  backoffDelay,
  GAVE_UP_MESSAGE,
  NOT_FOUND_MESSAGE,
  type Order,
  OrderWaitError,
  type PendingInfo,
  parseRetryAfter,
  type WaitForOrderOptions,
  waitForOrder,
} from './wait-for-order.ts';
