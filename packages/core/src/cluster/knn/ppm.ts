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
  private readonly members: number[] = [];
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

class PPMNode {
  count = 1;
  numberOfOutcomes = 0;
  firstChild: PPMNode | null = null;
  constructor(
    readonly byte: number,
    public nextSibling: PPMNode | null = null,
  ) {}

  isDeterministic(): boolean {
    return this.firstChild!.nextSibling === null;
  }

  isChildless(excluded: ByteSet): boolean {
    for (let n = this.firstChild; n !== null; n = n.nextSibling) if (!excluded.contains(n.byte)) return false;
    return true;
  }

  totalCount(excluded: ByteSet): number {
    let count = this.numberOfOutcomes;
    for (let c = this.firstChild; c !== null; c = c.nextSibling)
      if (!excluded.contains(c.byte)) count += c.count;
    return count;
  }

  interval(b: number, excluded: ByteSet, result: Int32Array): void {
    result[0] = 0;
    for (let d = this.firstChild; d !== null; d = d.nextSibling) {
      if (excluded.contains(d.byte)) continue;
      if (d.byte === b) {
        result[1] = result[0]! + d.count;
        result[2] = result[1]! + this.numberOfOutcomes;
        for (d = d.nextSibling; d !== null; d = d.nextSibling)
          if (!excluded.contains(d.byte)) result[2] += d.count;
        return;
      }
      result[0] += d.count;
    }
  }

  intervalEscape(excluded: ByteSet, result: Int32Array): void {
    result[1] = this.totalCount(excluded);
    result[2] = result[1];
    result[0] = result[1] - this.numberOfOutcomes;
  }

  hasDaughter(b: number): boolean {
    for (let d = this.firstChild; d !== null; d = d.nextSibling) if (d.byte === b) return true;
    return false;
  }

  complete(bytes: Uint8Array, offset: number, length: number): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    let node: PPMNode = this;
    while (length > 0) {
      ++node.numberOfOutcomes;
      node = node.firstChild = new PPMNode(bytes[offset]!);
      ++offset;
      --length;
    }
  }

  increment(bytes: Uint8Array, offset: number, length: number): void {
    if (this.firstChild === null) {
      ++this.numberOfOutcomes;
      this.firstChild = new PPMNode(bytes[offset]!);
      if (length > 1) this.firstChild.complete(bytes, offset + 1, length - 1);
      return;
    }
    let previous: PPMNode | null = null;
    for (let child: PPMNode = this.firstChild; ; child = child.nextSibling!) {
      if (child.byte === bytes[offset]) {
        if (length > 1) child.increment(bytes, offset + 1, length - 1);
        if (previous !== null) {
          // move to front
          previous.nextSibling = child.nextSibling;
          child.nextSibling = this.firstChild;
          this.firstChild = child;
        }
        if (++child.count > MAX_INDIVIDUAL_COUNT) this.rescale();
        return;
      }
      if (child.nextSibling === null) {
        ++this.numberOfOutcomes;
        this.firstChild = new PPMNode(bytes[offset]!, this.firstChild);
        if (length > 1) this.firstChild.complete(bytes, offset + 1, length - 1);
        return;
      }
      previous = child;
    }
  }

  private rescale(): void {
    this.numberOfOutcomes = Math.trunc((this.numberOfOutcomes + 1) / 2);
    this.firstChild = this.firstChild!.rescaleSiblings();
  }

  private rescaleSiblings(): PPMNode | null {
    this.count >>= 1;
    if (this.nextSibling === null) return this.count < MIN_COUNT ? null : this;
    if (this.count < MIN_COUNT) return this.nextSibling.rescaleSiblings();
    this.nextSibling = this.nextSibling.rescaleSiblings();
    return this;
  }
}

class ExcludingAdaptiveUnigramModel {
  private readonly counts = new Int32Array(257).fill(1);

  interval(symbol: number, result: Int32Array, exclusions: ByteSet): void {
    if (symbol === EOF) symbol = EOF_INDEX;
    const c = this.counts;
    let sum = 0;
    for (let i = 0; i < symbol; ++i) if (!exclusions.contains(i)) sum += c[i]!;
    result[0] = sum;
    sum += c[symbol]!;
    result[1] = sum;
    for (let i = symbol + 1; i < c.length - 1; ++i) if (!exclusions.contains(i)) sum += c[i]!;
    if (symbol !== EOF_INDEX) sum += c[EOF_INDEX]!;
    result[2] = sum;
    if (++c[symbol]! > MAX_INDIVIDUAL_COUNT)
      for (let i = 0; i < c.length; ++i) c[i] = Math.trunc((c[i]! + 1) / 2);
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

class PPMModel {
  private readonly backoff = new ExcludingAdaptiveUnigramModel();
  private readonly contexts: (PPMNode | undefined)[] = new Array<PPMNode | undefined>(256);
  private contextLength = 0;
  private contextNode: PPMNode | null = null;
  private readonly buffer = new ByteWindow(MAX_CONTEXT_LENGTH + 1);
  private readonly excluded = new ByteSet();

  escaped(symbol: number): boolean {
    return this.contextNode !== null && (symbol === EOF || !this.contextNode.hasDaughter(symbol));
  }

  interval(symbol: number, result: Int32Array): void {
    if (symbol === EOF) this.backoff.interval(EOF, result, this.excluded);
    else if (symbol === ESCAPE) this.intervalEscape(result);
    else {
      if (this.contextNode !== null) this.contextNode.interval(symbol, this.excluded, result);
      else this.backoff.interval(symbol, result, this.excluded);
      this.increment(symbol);
    }
  }

  private intervalEscape(result: Int32Array): void {
    const node = this.contextNode!;
    node.intervalEscape(this.excluded, result);
    if (this.contextLength >= MIN_CONTEXT_LENGTH)
      for (let c = node.firstChild; c !== null; c = c.nextSibling) this.excluded.add(c.byte);
    --this.contextLength;
    this.contextNodeLongToShort();
  }

  private increment(b: number): void {
    const buf = this.buffer;
    buf.buffer(b);
    const first = buf.bytes[buf.offset]!;
    const root = (this.contexts[first] ??= new PPMNode(first));
    if (buf.length > 1) root.increment(buf.bytes, buf.offset + 1, buf.length - 1);
    this.contextLength = Math.min(MAX_CONTEXT_LENGTH, buf.length);
    this.contextNodeBinarySearch();
    this.excluded.clear();
  }

  private contextNodeBinarySearch(): void {
    let low = MIN_CONTEXT_LENGTH;
    let high = this.contextLength;
    this.contextLength = MIN_CONTEXT_LENGTH - 1;
    this.contextNode = null;
    let isDeterministic = false;
    while (high >= low) {
      const len = Math.trunc((high + low) / 2);
      const node = this.lookupNode(len);
      if (node === null || node.isChildless(this.excluded)) {
        if (len < high) high = len;
        else --high;
      } else if (node.isDeterministic()) {
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
    while (this.contextLength >= MIN_CONTEXT_LENGTH) {
      this.contextNode = this.lookupNode(this.contextLength);
      if (this.contextNode === null || this.contextNode.isChildless(this.excluded)) {
        --this.contextLength;
        continue;
      }
      while (this.contextLength > MIN_CONTEXT_LENGTH && this.contextNode.isDeterministic()) {
        const backoffNode = this.lookupNode(this.contextLength - 1);
        if (backoffNode === null || !backoffNode.isDeterministic()) return;
        this.contextNode = backoffNode;
        --this.contextLength;
      }
      return;
    }
    this.contextNode = null;
  }

  private lookupNode(contextLength: number): PPMNode | null {
    const buf = this.buffer;
    const start = buf.offset + buf.length - contextLength;
    let node: PPMNode | null = this.contexts[buf.bytes[start]!] ?? null;
    if (node === null) return null;
    let offset = start + 1;
    let length = contextLength - 1;
    if (length === 0) return node;
    for (let child = node.firstChild; length > 0 && child !== null;) {
      if (buf.bytes[offset] === child.byte) {
        if (length === 1) return child;
        node = child;
        child = child.firstChild;
        ++offset;
        --length;
      } else child = child.nextSibling;
    }
    return null;
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

/** Bytes that `ArithCodeOutputStream` with `PPMModel(8)` writes for these input bytes. */
export function ppmCompressedLength(bytes: Uint8Array): number {
  const model = new PPMModel();
  const enc = new BitCountingEncoder();
  const interval = new Int32Array(3);
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
