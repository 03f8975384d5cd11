import { SaxesParser } from 'saxes';
import type { GuardedZip } from './guarded-zip.js';
import { notXlsx, XlsxError } from './xlsx-error.js';

export interface XmlHandlers {
  /** Element names come without their namespace prefix; attribute names as written. */
  open?(name: string, attributes: Record<string, string>): void;
  close?(name: string): void;
  text?(text: string): void;
}

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

function encodingOf(head: Uint8Array): string {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

/** A streaming parser for one part that refuses any DOCTYPE (no external entities, no entity expansion). */
class XmlPartParser {
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private decoder: InstanceType<typeof TextDecoder> | undefined;

  constructor(
    private readonly part: string,
    handlers: XmlHandlers,
  ) {
    const p = this.parser;
    p.on('doctype', () => {
      throw new XlsxError(
        'XLSX_UNSAFE',
        `the xlsx part '${part}' declares a DOCTYPE — refused (possible XML entity attack)`,
      );
    });
    const { open, close, text } = handlers;
    if (open) p.on('opentag', (tag) => open(localName(tag.name), tag.attributes as Record<string, string>));
    if (close) p.on('closetag', (tag) => close(localName(tag.name)));
    if (text) {
      p.on('text', text);
      p.on('cdata', text);
    }
  }

  write(chunk: Uint8Array): void {
    this.decoder ??= new TextDecoder(encodingOf(chunk));
    this.guard(() => this.parser.write(this.decoder!.decode(chunk, { stream: true })));
  }

  end(): void {
    this.guard(() => {
      const rest = this.decoder?.decode() ?? '';
      if (rest) this.parser.write(rest);
      this.parser.close();
    });
  }

  private guard(step: () => void): void {
    try {
      step();
    } catch (e) {
      if (e instanceof XlsxError) throw e;
      const why = e instanceof Error ? e.message : String(e);
      throw notXlsx(`the part '${this.part}' is not well-formed XML (${why})`);
    }
  }
}

/**
 * Parses one part chunk by chunk. After each chunk, `drain` hands back whatever the handlers
 * collected, so a caller can yield results without holding the whole part.
 */
export async function* parsePart<T>(
  zip: GuardedZip,
  part: string,
  handlers: XmlHandlers,
  drain: () => T[],
): AsyncGenerator<T> {
  const parser = new XmlPartParser(part, handlers);
  try {
    for await (const chunk of zip.openEntry(part)) {
      parser.write(chunk);
      yield* drain();
    }
    parser.end();
    yield* drain();
  } catch (e) {
    throw e instanceof XlsxError ? e : notXlsx(`the part '${part}' could not be read (${String(e)})`);
  }
}

/** Parses a small part to the end, for its side effects on the handlers. */
export async function readPart(zip: GuardedZip, part: string, handlers: XmlHandlers): Promise<void> {
  for await (const _ of parsePart<never>(zip, part, handlers, () => [])) void _;
}
