import { TidyvaultError } from '../errors.js';

/**
 * A view filter (the workbench's facets) is checked and run as a filter-rows step after the
 * recipe, but it is not one of the recipe's steps: its messages name it as the view's filter,
 * keeping the sub-path of the field ("where.and[1].value") when there is one.
 */
export const viewFilterMessage = (message: string): string =>
  message.replace(
    /^step \d+ \(filter-rows\)(?: field "(where[^"]*)")?:/,
    (_m, path?: string) => `${path ?? 'where'} (the view's filter, not a step):`,
  );

/**
 * An error from running a recipe whose step `filterStep` (counted from 1) is the view filter:
 * when that step is the one named, the same error worded as the filter, located at `where`.
 */
export function viewFilterError(e: unknown, filterStep: number): unknown {
  if (!(e instanceof TidyvaultError) || e.location.step?.index !== filterStep) return e;
  const { step: _step, ...rest } = e.location;
  return new TidyvaultError(e.code, viewFilterMessage(e.message), { ...rest, field: 'where' });
}
