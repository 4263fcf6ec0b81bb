import type { CompleteOptions } from './checkout-sessions.ts';
import type { DeliverOptions } from './emulator-core.ts';
import { invalidRequest } from './errors.ts';
import type { FaultSpec, FaultStatus } from './faults.ts';
import {
  type Fields,
  fieldsOf,
  optionalBoolean,
  optionalInteger,
  optionalString,
  requiredInteger,
  requiredString,
  stringArray,
} from './params.ts';
import type { Address, WebhookEndpoint } from './types.ts';

const ADDRESS_FIELDS = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'] as const;

function addressOf(value: unknown, param: string): Partial<Address> | undefined {
  if (value === undefined) return undefined;
  const fields = fieldsOf(value, param);
  return Object.fromEntries(
    ADDRESS_FIELDS.map((key) => [key, optionalString(fields[key], `${param}.${key}`)]),
  );
}

/** The object's type with each property that may be undefined made optional instead, as the result omits it. */
type WithoutUndefined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

function withoutUndefined<T extends object>(value: T): WithoutUndefined<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, item]) => item !== undefined),
  ) as WithoutUndefined<T>;
}

function deliverFlag(body: Fields): { deliver?: boolean } {
  const deliver = optionalBoolean(body.deliver, 'deliver');
  return deliver === null ? {} : { deliver };
}

export function completeOptionsOf(body: Fields): CompleteOptions & { deliver?: boolean } {
  const paymentStatus = optionalString(body.paymentStatus, 'paymentStatus');
  if (paymentStatus !== null && paymentStatus !== 'paid' && paymentStatus !== 'unpaid') {
    throw invalidRequest('paymentStatus must be "paid" or "unpaid".', 'paymentStatus');
  }
  const options: CompleteOptions & { deliver?: boolean } = deliverFlag(body);
  if (paymentStatus !== null) options.paymentStatus = paymentStatus;
  const nullFields = stringArray(body.nullFields, 'nullFields');
  if (nullFields.some((field) => field !== 'currency' && field !== 'amount_total')) {
    throw invalidRequest('nullFields may name currency and amount_total only.', 'nullFields');
  }
  if (nullFields.length > 0) options.nullFields = nullFields as Array<'currency' | 'amount_total'>;
  if (body.customerDetails !== undefined) {
    const details = fieldsOf(body.customerDetails, 'customerDetails');
    options.customerDetails = withoutUndefined({
      name: optionalString(details.name, 'customerDetails.name') ?? undefined,
      email: optionalString(details.email, 'customerDetails.email') ?? undefined,
      address: addressOf(details.address, 'customerDetails.address'),
    });
  }
  if (body.shippingDetails === null) options.shippingDetails = null;
  else if (body.shippingDetails !== undefined) {
    const shipping = fieldsOf(body.shippingDetails, 'shippingDetails');
    options.shippingDetails = {
      name: requiredString(shipping.name, 'shippingDetails.name'),
      address: addressOf(shipping.address, 'shippingDetails.address') ?? {},
    };
  }
  return options;
}

export function outcomeOf(body: Fields): 'succeeded' | 'failed' {
  const outcome = requiredString(body.outcome, 'outcome');
  if (outcome !== 'succeeded' && outcome !== 'failed') {
    throw invalidRequest('outcome must be "succeeded" or "failed".', 'outcome');
  }
  return outcome;
}

export function deliverOptionsOf(body: Fields): DeliverOptions {
  const signatureSecrets = stringArray(body.signatureSecrets, 'signatureSecrets');
  return withoutUndefined({
    url: optionalString(body.url, 'url') ?? undefined,
    secret: optionalString(body.secret, 'secret') ?? undefined,
    timestamp: optionalInteger(body.timestamp, 'timestamp', { min: 1 }) ?? undefined,
    signatureSecrets: signatureSecrets.length > 0 ? signatureSecrets : undefined,
  });
}

export function webhookEndpointOf(body: Fields): WebhookEndpoint {
  const url = requiredString(body.url, 'url');
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw invalidRequest(`Invalid webhook URL: ${url}`, 'url');
  }
  const connect = optionalBoolean(body.connect, 'connect');
  const payload = optionalString(body.payload, 'payload');
  if (payload !== null && payload !== 'snapshot' && payload !== 'thin') {
    throw invalidRequest('payload must be "snapshot" or "thin".', 'payload');
  }
  return {
    url,
    secret: requiredString(body.secret, 'secret'),
    ...(connect ? { connect: true } : {}),
    ...(payload === 'thin' ? { payload: 'thin' as const } : {}),
  };
}

function patternOf(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    throw invalidRequest(`Invalid regular expression: ${source}`, 'pathPattern');
  }
}

/** `path` is an exact path; `pathPattern` is a regular expression source. */
export function faultSpecOf(body: Fields): FaultSpec {
  const path = optionalString(body.path, 'path');
  const pattern = optionalString(body.pathPattern, 'pathPattern');
  if ((path === null) === (pattern === null)) {
    throw invalidRequest('Pass exactly one of path or pathPattern.', 'path');
  }
  const method = optionalString(body.method, 'method');
  const shouldRetry = optionalBoolean(body.shouldRetry, 'shouldRetry');
  const kind = optionalString(body.kind, 'kind');
  return withoutUndefined({
    path: path ?? patternOf(pattern ?? ''),
    status: requiredInteger(body.status, 'status') as FaultStatus,
    count: optionalInteger(body.count, 'count') ?? 1,
    method: method ?? undefined,
    shouldRetry: shouldRetry ?? undefined,
    retryAfter: optionalInteger(body.retryAfter, 'retryAfter', { min: 0 }) ?? undefined,
    kind: (kind ?? undefined) as FaultSpec['kind'],
  });
}
