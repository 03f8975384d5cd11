export {
  dedupeGroupsStep,
  fuzzyDuplicateGroups,
  type DedupeRow,
  type DuplicateGroup,
  type FuzzyDedupeOptions,
  type FuzzyDedupeParams,
} from './fuzzy-groups.js';
export { normaliseForMatch, similarity, codePoints, editDistance } from './similarity.js';
