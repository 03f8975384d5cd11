export {
  knnClusters,
  KNN_DEFAULT_BLOCKING_NGRAM_SIZE,
  KNN_DEFAULT_RADIUS,
  type KnnMethod,
  type KnnOptions,
  type KnnParams,
} from './knn.js';
export { levenshteinDistance } from './levenshtein.js';
export { PpmDistance } from './ppm.js';
export { blockingNgrams, blockingNormalize } from './normalize.js';
