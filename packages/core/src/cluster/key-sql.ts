import { bin, call, col, lambda, lit, type Expr } from '@tidyvault/sql';
import type { ClusterMethod, ClusterParams } from './methods.js';

/** ASCII punctuation (Java's \p{Punct}) and control characters other than TAB, as in OpenRefine's keyers. */
const PUNCT_AND_CONTROL = '[!-/:-@\\[-`{-~\\x00-\\x08\\x0A-\\x1F\\x7F]';
const WHITESPACE =
  '[\\x{0009}-\\x{000D}\\x{0020}\\x{0085}\\x{00A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]';

function cleaned(value: Expr): Expr {
  return call(
    'strip_accents',
    call('regexp_replace', call('lower', call('trim', value)), lit(PUNCT_AND_CONTROL), lit(''), lit('g')),
  );
}

/** OpenRefine FingerprintKeyer: distinct whitespace-separated tokens, sorted, joined by one space. */
export function fingerprintKey(value: Expr): Expr {
  const tokens = call('string_split_regex', cleaned(value), lit(WHITESPACE + '+'));
  const nonEmpty = call('list_filter', tokens, lambda(['x'], bin('<>', col('x'), lit(''))));
  return call('array_to_string', call('list_sort', call('list_distinct', nonEmpty)), lit(' '));
}

/** OpenRefine NGramFingerprintKeyer: distinct character n-grams of the text without whitespace, sorted, concatenated. */
export function ngramFingerprintKey(value: Expr, n: number): Expr {
  const text = call('regexp_replace', cleaned(value), lit(WHITESPACE), lit(''), lit('g'));
  const starts = call('range', lit(1), bin('+', bin('-', call('length', text), lit(n)), lit(2)));
  const grams = call('list_transform', starts, lambda(['i'], call('substr', text, col('i'), lit(n))));
  return call('array_to_string', call('list_sort', call('list_distinct', grams)), lit(''));
}

/** Methods whose key can be computed in DuckDB SQL; others return undefined. */
export function clusterKeySql(method: ClusterMethod, params: ClusterParams, value: Expr): Expr | undefined {
  if (method === 'fingerprint') return fingerprintKey(value);
  if (method === 'ngram-fingerprint') return ngramFingerprintKey(value, params?.ngramSize ?? 2);
  return undefined;
}
