export {
  dedupeGroupsStep,
  fuzzyDuplicateGroups,
  type DedupeRow,
  type DuplicateGroup,
  type FuzzyDedupeOptions,
  type FuzzyDedupeParams,
} from './fuzzy-groups.js';
export { normaliseForMatch, similarity, codePoints, editDistance } from './similarity.js';
export {
  checkDuplicateColumns,
  duplicateCandidates,
  duplicateTuplesQuery,
  MAX_DUPLICATE_GROUPS,
  MAX_DUPLICATE_TUPLES,
  type DuplicatesAnswer,
  type DuplicatesParams,
} from './duplicates.js';
