import { describe, expect, it } from 'vitest';
import { DEFAULT_XLSX_CAPS, openGuardedZip, type XlsxCaps } from './guarded-zip.js';
import { handmadeZip, type HandmadeEntry } from './handmade-zip.test-helper.js';
import { XlsxError } from './xlsx-error.js';

const MiB = 2 ** 20;

async function zipFile(entries: HandmadeEntry[]): Promise<Blob> {
  return new Blob([handmadeZip(entries)]);
}

async function readAll(zipped: Blob, name: string, caps?: XlsxCaps): Promise<Buffer> {
  const zip = await openGuardedZip(zipped, caps);
  const chunks: Uint8Array[] = [];
  for await (const c of zip.openEntry(name)) chunks.push(c);
  return Buffer.concat(chunks);
}

async function refusal(work: Promise<unknown>): Promise<XlsxError> {
  const e = await work.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(XlsxError);
  return e as XlsxError;
}

describe('openGuardedZip', () => {
  it('reads a well-formed entry, names compared case-insensitively', async () => {
    const zipped = await zipFile([
      { name: 'xl/a.xml', data: '<a>hello</a>' },
      { name: 'xl/', data: '', stored: true },
    ]);
    const zip = await openGuardedZip(zipped);
    expect(zip.entryNames).toEqual(['xl/a.xml']);
    expect(zip.has('XL/A.xml')).toBe(true);
    expect((await readAll(zipped, 'xl/A.XML')).toString()).toBe('<a>hello</a>');
  });

  it('accepts small parts that compress very well (ratio only checked above 1 MiB)', async () => {
    const zipped = await zipFile([{ name: 'zeros.xml', data: Buffer.alloc(MiB - 1) }]);
    expect((await readAll(zipped, 'zeros.xml')).length).toBe(MiB - 1);
  });

  it('refuses an entry that inflates past the size its header declares', async () => {
    const zipped = await zipFile([{ name: 'xl/bomb.xml', data: Buffer.alloc(8 * MiB), declaredSize: 1000 }]);
    const e = await refusal(readAll(zipped, 'xl/bomb.xml'));
    expect(e.code).toBe('XLSX_LIMIT');
    expect(e.message).toMatch(
      /xl\/bomb\.xml.*inflates to more than its header declares — refused as a possible zip bomb/,
    );
  });

  it('refuses more entries than the cap, by default 10,000', async () => {
    const entries = Array.from({ length: 10_001 }, (_, i) => ({
      name: `p${i}.xml`,
      data: 'x',
      stored: true,
    }));
    const e = await refusal(openGuardedZip(await zipFile(entries)));
    expect(e.code).toBe('XLSX_LIMIT');
    expect(e.message).toBe('the xlsx has more than 10000 entries — refused as a possible zip bomb');
    const few = await zipFile(entries.slice(0, 6));
    expect((await refusal(openGuardedZip(few, { ...DEFAULT_XLSX_CAPS, maxEntries: 5 }))).code).toBe(
      'XLSX_LIMIT',
    );
  });

  it('refuses a high-ratio entry over 1 MiB before inflating it', async () => {
    const zipped = await zipFile([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(4 * MiB) }]);
    const e = await refusal(openGuardedZip(zipped));
    expect(e.code).toBe('XLSX_LIMIT');
    expect(e.message).toBe(
      "the xlsx part 'xl/worksheets/sheet1.xml' is compressed more than 100:1 — refused as a possible zip bomb",
    );
  });

  it('refuses declared sizes over the per-entry and total caps', async () => {
    const zipped = await zipFile([
      { name: 'a.xml', data: 'a'.repeat(600) },
      { name: 'b.xml', data: 'b'.repeat(600) },
    ]);
    const perEntry = await refusal(openGuardedZip(zipped, { ...DEFAULT_XLSX_CAPS, maxEntryBytes: 500 }));
    expect(perEntry.message).toBe(
      "the xlsx part 'a.xml' expands to more than 500 bytes — refused as a possible zip bomb",
    );
    const total = await refusal(openGuardedZip(zipped, { ...DEFAULT_XLSX_CAPS, maxTotalBytes: 1000 }));
    expect(total.message).toBe('the xlsx expands to more than 1000 bytes — refused as a possible zip bomb');
    expect(DEFAULT_XLSX_CAPS.maxTotalBytes).toBe(2 * 2 ** 30);
  });

  it.each([
    ['../x', /unsafe entry name '\.\.\/x'/],
    ['xl/../../x.xml', /unsafe entry name/],
    ['/etc/passwd', /unsafe entry name '\/etc\/passwd'/],
    ['C:/x.xml', /unsafe entry name/],
    ['xl\\x.xml', /unsafe entry name/],
    ['xl/embeddings/inner.zip', /nested archive 'xl\/embeddings\/inner\.zip'/],
    ['xl/embeddings/Book1.xlsx', /nested archive/],
  ])('refuses the entry name %s', async (name, why) => {
    const e = await refusal(openGuardedZip(await zipFile([{ name, data: 'x' }])));
    expect(e.code).toBe('XLSX_UNSAFE');
    expect(e.message).toMatch(why);
  });

  it('refuses symlink entries, encrypted entries and duplicate names', async () => {
    const symlink = await refusal(
      openGuardedZip(await zipFile([{ name: 'xl/link', data: '/etc/passwd', unixMode: 0o120777 }])),
    );
    expect(symlink.message).toBe("the xlsx contains a symbolic link 'xl/link' — refused");
    const encrypted = await refusal(openGuardedZip(await zipFile([{ name: 'a.xml', data: 'x', flags: 1 }])));
    expect(encrypted.message).toBe("the xlsx contains an encrypted entry 'a.xml' — refused");
    const twice = await refusal(
      openGuardedZip(
        await zipFile([
          { name: 'a.xml', data: 'x' },
          { name: 'A.xml', data: 'y' },
        ]),
      ),
    );
    expect(twice.code).toBe('XLSX_UNSAFE');
    for (const e of [symlink, encrypted]) expect(e.code).toBe('XLSX_UNSAFE');
  });

  it('explains files that are not zips', async () => {
    const random = new Blob([Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))]);
    const e = await refusal(openGuardedZip(random));
    expect(e.code).toBe('XLSX_CORRUPT');
    expect(e.message).toMatch(/^the file is not a valid xlsx \(zip\) file: /);
    const ole = new Blob([Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(4096)])]);
    expect((await refusal(openGuardedZip(ole))).message).toMatch(
      /password-protected workbook or a legacy \.xls/,
    );
  });
});
