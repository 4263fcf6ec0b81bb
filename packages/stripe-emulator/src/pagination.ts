import { invalidRequest, resourceMissing } from './errors.ts';
import { type Fields, isFields, optionalInteger, optionalString } from './params.ts';
import type { ListObject } from './types.ts';

export interface ListParams {
  limit: number;
  startingAfter: string | null;
  endingBefore: string | null;
}

export function parseListParams(query: Fields): ListParams {
  const params = {
    limit: optionalInteger(query.limit, 'limit', { min: 1, max: 100 }) ?? 10,
    startingAfter: optionalString(query.starting_after, 'starting_after'),
    endingBefore: optionalString(query.ending_before, 'ending_before'),
  };
  if (params.startingAfter !== null && params.endingBefore !== null) {
    throw invalidRequest('You may only specify one of these parameters: ending_before, starting_after.');
  }
  return params;
}

/** Builds a `created` filter from `created=123` or `created[gt|gte|lt|lte]=123`. */
export function createdFilter(value: unknown): (created: number) => boolean {
  if (value === undefined || value === '') return () => true;
  if (!isFields(value)) {
    const exact = optionalInteger(value, 'created');
    return (created) => exact === null || created === exact;
  }
  const gt = optionalInteger(value.gt, 'created[gt]');
  const gte = optionalInteger(value.gte, 'created[gte]');
  const lt = optionalInteger(value.lt, 'created[lt]');
  const lte = optionalInteger(value.lte, 'created[lte]');
  return (created) =>
    (gt === null || created > gt) &&
    (gte === null || created >= gte) &&
    (lt === null || created < lt) &&
    (lte === null || created <= lte);
}

function cursorIndex<T extends { id: string }>(items: T[], id: string, objectName: string, param: string) {
  const index = items.findIndex((item) => item.id === id);
  if (index === -1) throw resourceMissing(objectName, id, param);
  return index;
}

/**
 * Cuts one page out of `items` (already in list order) keeping only those that pass `filter`.
 * Cursors are located in the unfiltered order, as Stripe does.
 */
export function paginate<T extends { id: string }>(
  items: T[],
  params: ListParams,
  options: { url: string; objectName: string; filter?: (item: T) => boolean },
): ListObject<T> {
  const filter = options.filter ?? (() => true);
  if (params.endingBefore !== null) {
    const index = cursorIndex(items, params.endingBefore, options.objectName, 'ending_before');
    const before = items.slice(0, index).filter(filter);
    const data = before.slice(Math.max(0, before.length - params.limit));
    return { object: 'list', data, has_more: before.length > params.limit, url: options.url };
  }
  const start =
    params.startingAfter === null
      ? 0
      : cursorIndex(items, params.startingAfter, options.objectName, 'starting_after') + 1;
  const after = items.slice(start).filter(filter);
  return {
    object: 'list',
    data: after.slice(0, params.limit),
    has_more: after.length > params.limit,
    url: options.url,
  };
}
