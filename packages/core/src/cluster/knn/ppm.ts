/**
 * OpenRefine's `ppm` distance: Vicino 1.2 `PPMDistance` (a `PseudoMetricDistance`):
 *
 *   d(x, y) = 10 * ((C(x+y) + C(y+x)) / (C(x+x) + C(y+y)) - 1)
 *
 * where C(s) is the number of bytes that the `arithcode` 1.2 library (Bob Carpenter's PPM
 * arithmetic coder, as OpenRefine ships it) writes when compressing the UTF-8 bytes of `s`
 * with `new ArithCodeOutputStream(out, new PPMModel(8))`. This file re-implements that coder
 * exactly enough to count its output bits (nothing is decoded, so only the encoder side exists).
 */

const EOF = -1;
const ESCAPE = -2;
const MAX_CONTEXT_LENGTH = 8;
const MIN_CONTEXT_LENGTH = 1;
const MAX_INDIVIDUAL_COUNT = 8 * 1024;
const MIN_COUNT = 128;
const EOF_INDEX = 256;

// ArithCoder constants (27-bit code values).
const TOP_VALUE = 134217727;
const FIRST_QUARTER = 33554432;
const HALF = 67108864;
const THIRD_QUARTER = 100663296;

/** A set of bytes (0..255). */
class ByteSet {
  private readonly bits = new Uint8Array(256);
  readonly members: number[] = [];
  contains(b: number): boolean {
    return this.bits[b] === 1;
  }
  add(b: number): void {
    if (this.bits[b] === 1) return;
    this.bits[b] = 1;
    this.members.push(b);
  }
  clear(): void {
    for (const b of this.members) this.bits[b] = 0;
    this.members.length = 0;
  }
}

const NONE = -1;

/**
 * The PPM trie (Carpenter's PPMNode) as parallel typed arrays, so that compressing a value
 * allocates nothing: node k has a byte, a scaled count, a scaled number of outcomes, its first
 * child and its next sibling (NONE when absent). Reset between compressions by dropping all nodes.
 */
class Trie {
  byte = new Uint8Array(1024);
  count = new Int32Array(1024);
  outcomes = new Int32Array(1024);
  first = new Int32Array(1024);
  next = new Int32Array(1024);
  size = 0;

  reset(): void {
    this.size = 0;
  }

  node(b: number, nextSibling: number = NONE): number {
    if (this.size === this.byte.length) this.grow();
    const k = this.size++;
    this.byte[k] = b;
    this.count[k] = 1;
    this.outcomes[k] = 0;
    this.first[k] = NONE;
    this.next[k] = nextSibling;
    return k;
  }

  private grow(): void {
    const n = this.byte.length * 2;
    const g = <T extends Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.byte = g(this.byte, (m) => new Uint8Array(m));
    this.count = g(this.count, (m) => new Int32Array(m));
    this.outcomes = g(this.outcomes, (m) => new Int32Array(m));
    this.first = g(this.first, (m) => new Int32Array(m));
    this.next = g(this.next, (m) => new Int32Array(m));
  }

  isDeterministic(k: number): boolean {
    return this.next[this.first[k]!] === NONE;
  }

  isChildless(k: number, excluded: ByteSet): boolean {
    for (let c = this.first[k]!; c !== NONE; c = this.next[c]!)
      if (!excluded.contains(this.byte[c]!)) return false;
    return true;
  }

  totalCount(k: number, excluded: ByteSet): number {
    let total = this.outcomes[k]!;
    for (let c = this.first[k]!; c !== NONE; c = this.next[c]!)
      if (!excluded.contains(this.byte[c]!)) total += this.count[c]!;
    return total;
  }

  interval(k: number, b: number, excluded: ByteSet, result: Int32Array): void {
    result[0] = 0;
    for (let d = this.first[k]!; d !== NONE; d = this.next[d]!) {
      if (excluded.contains(this.byte[d]!)) continue;
      if (this.byte[d] === b) {
        result[1] = result[0]! + this.count[d]!;
        result[2] = result[1]! + this.outcomes[k]!;
        for (d = this.next[d]!; d !== NONE; d = this.next[d]!)
          if (!excluded.contains(this.byte[d]!)) result[2] += this.count[d]!;
        return;
      }
      result[0] += this.count[d]!;
    }
  }

  intervalEscape(k: number, excluded: ByteSet, result: Int32Array): void {
    result[1] = this.totalCount(k, excluded);
    result[2] = result[1];
    result[0] = result[1] - this.outcomes[k]!;
  }

  hasDaughter(k: number, b: number): boolean {
    for (let d = this.first[k]!; d !== NONE; d = this.next[d]!) if (this.byte[d] === b) return true;
    return false;
  }

  complete(k: number, bytes: Uint8Array, offset: number, length: number): void {
    let node = k;
    while (length > 0) {
      ++this.outcomes[node]!;
      const child = this.node(bytes[offset]!);
      this.first[node] = child;
      node = child;
      ++offset;
      --length;
    }
  }

  increment(k: number, bytes: Uint8Array, offset: number, length: number): void {
    if (this.first[k] === NONE) {
      ++this.outcomes[k]!;
      const child = this.node(bytes[offset]!);
      this.first[k] = child;
      if (length > 1) this.complete(child, bytes, offset + 1, length - 1);
      return;
    }
    let previous = NONE;
    for (let child = this.first[k]!; ; child = this.next[child]!) {
      if (this.byte[child] === bytes[offset]) {
        if (length > 1) this.increment(child, bytes, offset + 1, length - 1);
        if (previous !== NONE) {
          // move to front
          this.next[previous] = this.next[child]!;
          this.next[child] = this.first[k]!;
          this.first[k] = child;
        }
        if (++this.count[child]! > MAX_INDIVIDUAL_COUNT) this.rescale(k);
        return;
      }
      if (this.next[child] === NONE) {
        ++this.outcomes[k]!;
        const fresh = this.node(bytes[offset]!, this.first[k]!);
        this.first[k] = fresh;
        if (length > 1) this.complete(fresh, bytes, offset + 1, length - 1);
        return;
      }
      previous = child;
    }
  }

  private rescale(k: number): void {
    this.outcomes[k] = Math.trunc((this.outcomes[k]! + 1) / 2);
    this.first[k] = this.rescaleSiblings(this.first[k]!);
  }

  /** Halves the counts of a sibling list, dropping nodes that fall below MIN_COUNT. */
  private rescaleSiblings(k: number): number {
    this.count[k] = this.count[k]! >> 1;
    if (this.next[k] === NONE) return this.count[k]! < MIN_COUNT ? NONE : k;
    if (this.count[k]! < MIN_COUNT) return this.rescaleSiblings(this.next[k]!);
    this.next[k] = this.rescaleSiblings(this.next[k]!);
    return k;
  }
}

/**
 * Carpenter's ExcludingAdaptiveUnigramModel (257 counts starting at 1, EOF last). Its interval
 * is computed from the few counts that differ from 1 and the few excluded bytes instead of a
 * loop over all 257 (same numbers); after a rescale (a count above 8K, not reached by values of
 * ordinary length) it falls back to the plain loops.
 */
class ExcludingAdaptiveUnigramModel {
  private readonly counts = new Int32Array(257).fill(1);
  private readonly touched: number[] = [];
  private sum = 257;
  private plain = false;

  reset(): void {
    if (this.plain) this.counts.fill(1);
    else for (const t of this.touched) this.counts[t] = 1;
    this.touched.length = 0;
    this.sum = 257;
    this.plain = false;
  }

  interval(symbol: number, result: Int32Array, exclusions: ByteSet): void {
    if (symbol === EOF) symbol = EOF_INDEX;
    const c = this.counts;
    if (this.plain) {
      let sum = 0;
      for (let i = 0; i < symbol; ++i) if (!exclusions.contains(i)) sum += c[i]!;
      result[0] = sum;
      sum += c[symbol]!;
      result[1] = sum;
      for (let i = symbol + 1; i < c.length - 1; ++i) if (!exclusions.contains(i)) sum += c[i]!;
      if (symbol !== EOF_INDEX) sum += c[EOF_INDEX]!;
      result[2] = sum;
    } else {
      let below = symbol; // counts are 1 ...
      for (const t of this.touched) if (t < symbol) below += c[t]! - 1; // ... except these
      let excluded = 0;
      for (const m of exclusions.members) {
        if (m < symbol) below -= c[m]!;
        if (m !== symbol) excluded += c[m]!;
      }
      result[0] = below;
      result[1] = below + c[symbol]!;
      result[2] = this.sum - excluded;
    }
    if (c[symbol] === 1 && !this.plain) this.touched.push(symbol);
    this.sum++;
    if (++c[symbol]! > MAX_INDIVIDUAL_COUNT) {
      for (let i = 0; i < c.length; ++i) c[i] = Math.trunc((c[i]! + 1) / 2);
      this.plain = true;
    }
  }
}

/** The last (up to) maxContextLength + 1 bytes seen. */
class ByteWindow {
  readonly bytes: Uint8Array;
  offset = 0;
  length = 0;
  constructor(private readonly maxWidth: number) {
    this.bytes = new Uint8Array(32 * maxWidth);
  }
  reset(): void {
    this.offset = 0;
    this.length = 0;
  }
  buffer(b: number): void {
    if (this.offset + this.length > this.bytes.length - 1) {
      for (let i = 0; i < this.length - 1; i++) this.bytes[i] = this.bytes[this.offset + i + 1]!;
      this.offset = 0;
    }
    this.bytes[this.offset + this.length] = b;
    if (this.length < this.maxWidth) this.length++;
    else this.offset++;
  }
}

/** Carpenter's PPMModel(8), reusable: reset() gives a fresh model without allocating. */
class PPMModel {
  private readonly trie = new Trie();
  private readonly backoff = new ExcludingAdaptiveUnigramModel();
  private readonly contexts = new Int32Array(256).fill(NONE);
  private contextLength = 0;
  private contextNode = NONE;
  private readonly buffer = new ByteWindow(MAX_CONTEXT_LENGTH + 1);
  private readonly excluded = new ByteSet();

  reset(): void {
    this.trie.reset();
    this.backoff.reset();
    this.contexts.fill(NONE);
    this.contextLength = 0;
    this.contextNode = NONE;
    this.buffer.reset();
    this.excluded.clear();
  }

  escaped(symbol: number): boolean {
    return this.contextNode !== NONE && (symbol === EOF || !this.trie.hasDaughter(this.contextNode, symbol));
  }

  interval(symbol: number, result: Int32Array): void {
    if (symbol === EOF) this.backoff.interval(EOF, result, this.excluded);
    else if (symbol === ESCAPE) this.intervalEscape(result);
    else {
      if (this.contextNode !== NONE) this.trie.interval(this.contextNode, symbol, this.excluded, result);
      else this.backoff.interval(symbol, result, this.excluded);
      this.increment(symbol);
    }
  }

  private intervalEscape(result: Int32Array): void {
    const t = this.trie;
    const node = this.contextNode;
    t.intervalEscape(node, this.excluded, result);
    if (this.contextLength >= MIN_CONTEXT_LENGTH)
      for (let c = t.first[node]!; c !== NONE; c = t.next[c]!) this.excluded.add(t.byte[c]!);
    --this.contextLength;
    this.contextNodeLongToShort();
  }

  private increment(b: number): void {
    const buf = this.buffer;
    buf.buffer(b);
    const first = buf.bytes[buf.offset]!;
    let root = this.contexts[first]!;
    if (root === NONE) root = this.contexts[first] = this.trie.node(first);
    if (buf.length > 1) this.trie.increment(root, buf.bytes, buf.offset + 1, buf.length - 1);
    this.contextLength = Math.min(MAX_CONTEXT_LENGTH, buf.length);
    this.contextNodeBinarySearch();
    this.excluded.clear();
  }

  private contextNodeBinarySearch(): void {
    const t = this.trie;
    let low = MIN_CONTEXT_LENGTH;
    let high = this.contextLength;
    this.contextLength = MIN_CONTEXT_LENGTH - 1;
    this.contextNode = NONE;
    let isDeterministic = false;
    while (high >= low) {
      const len = Math.trunc((high + low) / 2);
      const node = this.lookupNode(len);
      if (node === NONE || t.isChildless(node, this.excluded)) {
        if (len < high) high = len;
        else --high;
      } else if (t.isDeterministic(node)) {
        this.contextLength = len;
        this.contextNode = node;
        isDeterministic = true;
        if (len < high) high = len;
        else --high;
      } else if (!isDeterministic) {
        this.contextLength = len;
        this.contextNode = node;
        if (len > low) low = len;
        else ++low;
      } else if (len > low) low = len;
      else ++low;
    }
  }

  private contextNodeLongToShort(): void {
    const t = this.trie;
    while (this.contextLength >= MIN_CONTEXT_LENGTH) {
      this.contextNode = this.lookupNode(this.contextLength);
      if (this.contextNode === NONE || t.isChildless(this.contextNode, this.excluded)) {
        --this.contextLength;
        continue;
      }
      while (this.contextLength > MIN_CONTEXT_LENGTH && t.isDeterministic(this.contextNode)) {
        const backoffNode = this.lookupNode(this.contextLength - 1);
        if (backoffNode === NONE || !t.isDeterministic(backoffNode)) return;
        this.contextNode = backoffNode;
        --this.contextLength;
      }
      return;
    }
    this.contextNode = NONE;
  }

  private lookupNode(contextLength: number): number {
    const t = this.trie;
    const buf = this.buffer;
    const start = buf.offset + buf.length - contextLength;
    const node = this.contexts[buf.bytes[start]!]!;
    if (node === NONE) return NONE;
    let offset = start + 1;
    let length = contextLength - 1;
    if (length === 0) return node;
    for (let child = t.first[node]!; length > 0 && child !== NONE;) {
      if (buf.bytes[offset] === t.byte[child]) {
        if (length === 1) return child;
        child = t.first[child]!;
        ++offset;
        --length;
      } else child = t.next[child]!;
    }
    return NONE;
  }
}

/** Counts the bits an ArithEncoder writes (BitOutput pads the last byte). */
class BitCountingEncoder {
  private low = 0;
  private high = TOP_VALUE;
  private bitsToFollow = 0;
  bits = 0;

  encode(r: Int32Array): void {
    const range = this.high - this.low + 1;
    this.high = this.low + Math.floor((range * r[1]!) / r[2]!) - 1;
    this.low = this.low + Math.floor((range * r[0]!) / r[2]!);
    for (;;) {
      if (this.high < HALF) this.bitPlusFollow();
      else if (this.low >= HALF) {
        this.bitPlusFollow();
        this.low -= HALF;
        this.high -= HALF;
      } else if (this.low >= FIRST_QUARTER && this.high < THIRD_QUARTER) {
        ++this.bitsToFollow;
        this.low -= FIRST_QUARTER;
        this.high -= FIRST_QUARTER;
      } else return;
      this.low = this.low * 2;
      this.high = this.high * 2 + 1;
    }
  }

  private bitPlusFollow(): void {
    this.bits += 1 + this.bitsToFollow;
    this.bitsToFollow = 0;
  }

  close(): void {
    ++this.bitsToFollow;
    this.bitPlusFollow();
  }
}

/** Java's `String.getBytes()` in UTF-8: a lone surrogate becomes '?'. */
export function javaUtf8(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) out.push(0x3f);
    else if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

const shared = { model: undefined as PPMModel | undefined, interval: new Int32Array(3) };

/** Bytes that `ArithCodeOutputStream` with `PPMModel(8)` writes for these input bytes. */
export function ppmCompressedLength(bytes: Uint8Array): number {
  const model = (shared.model ??= new PPMModel());
  model.reset();
  const enc = new BitCountingEncoder();
  const interval = shared.interval;
  const encode = (symbol: number) => {
    while (model.escaped(symbol)) {
      model.interval(ESCAPE, interval);
      enc.encode(interval);
    }
    model.interval(symbol, interval);
    enc.encode(interval);
  };
  for (const b of bytes) encode(b);
  encode(EOF);
  enc.close();
  return Math.ceil(enc.bits / 8);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** OpenRefine's PPM distance, caching each value's bytes and self-compression. */
export class PpmDistance {
  private readonly bytes = new Map<string, Uint8Array>();
  private readonly self = new Map<string, number>();

  private utf8(s: string): Uint8Array {
    let b = this.bytes.get(s);
    if (!b) this.bytes.set(s, (b = javaUtf8(s)));
    return b;
  }

  private selfLength(s: string): number {
    let c = this.self.get(s);
    if (c === undefined) {
      const b = this.utf8(s);
      this.self.set(s, (c = ppmCompressedLength(concat(b, b))));
    }
    return c;
  }

  distance(x: string, y: string): number {
    const bx = this.utf8(x);
    const by = this.utf8(y);
    const cxx = this.selfLength(x);
    const cyy = this.selfLength(y);
    const cxy = ppmCompressedLength(concat(bx, by));
    const cyx = ppmCompressedLength(concat(by, bx));
    return 10.0 * ((cxy + cyx) / (cxx + cyy) - 1.0);
  }
}
