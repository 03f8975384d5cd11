/**
 * Kölner Phonetik exactly as Apache Commons Codec's ColognePhonetic (1.15 and later), which
 * OpenRefine's ColognePhoneticKeyer calls: upper-case (full mapping, ß → SS), Ä Ö Ü → A O U,
 * then one pass over the UTF-16 units that skips everything outside A–Z (without touching the
 * previous letter or code), codes each letter by its neighbours, never repeats a code, keeps `0`
 * only first, and lets `H` separate repeated codes without producing one.
 */

const IGNORE = '-';

export function colognePhonetic(text: string): string {
  const chars = text.toUpperCase().replace(/[ÄÖÜ]/g, (c) => (c === 'Ä' ? 'A' : c === 'Ö' ? 'O' : 'U'));
  let out = '';
  let lastCode = '/';
  const put = (code: string) => {
    if (code !== IGNORE && lastCode !== code && (code !== '0' || out.length === 0)) out += code;
    lastCode = code;
  };
  let lastChar = IGNORE;
  for (let i = 0; i < chars.length; i++) {
    const chr = chars[i]!;
    if (chr < 'A' || chr > 'Z') continue;
    const next = i + 1 < chars.length ? chars[i + 1]! : IGNORE;
    if ('AEIJOUY'.includes(chr)) put('0');
    else if (chr === 'B' || (chr === 'P' && next !== 'H')) put('1');
    else if ((chr === 'D' || chr === 'T') && !'CSZ'.includes(next)) put('2');
    else if ('FPVW'.includes(chr)) put('3');
    else if ('GKQ'.includes(chr)) put('4');
    else if (chr === 'X' && !'CKQ'.includes(lastChar)) {
      put('4');
      put('8');
    } else if (chr === 'S' || chr === 'Z') put('8');
    else if (chr === 'C') {
      if (out.length === 0) put('AHKLOQRUX'.includes(next) ? '4' : '8');
      else put('SZ'.includes(lastChar) || !'AHKOQUX'.includes(next) ? '8' : '4');
    } else if ('DTX'.includes(chr)) put('8');
    else if (chr === 'R') put('7');
    else if (chr === 'L') put('5');
    else if (chr === 'M' || chr === 'N') put('6');
    else if (chr === 'H') put(IGNORE);
    lastChar = chr;
  }
  return out;
}
