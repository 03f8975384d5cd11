import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ImportSniffError } from '@tidyvault/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { transcodeToUtf8, type TranscodeOptions } from './transcode.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-transcode-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function input(bytes: Uint8Array | string): string {
  const file = path.join(dir, 'in.csv');
  fs.writeFileSync(file, bytes);
  return file;
}

async function transcoded(bytes: Uint8Array | string, o: TranscodeOptions): Promise<string> {
  const out = path.join(dir, 'out.csv');
  await transcodeToUtf8(input(bytes), out, o);
  return fs.readFileSync(out, 'utf8');
}

async function failure(bytes: Uint8Array | string, o: TranscodeOptions): Promise<ImportSniffError> {
  const out = path.join(dir, 'out.csv');
  const error = await transcodeToUtf8(input(bytes), out, o).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(fs.existsSync(out)).toBe(false);
  expect(error).toBeInstanceOf(ImportSniffError);
  return error as ImportSniffError;
}

const utf16 = (text: string, encoding: 'utf16le' | 'utf16be') => {
  const le = Buffer.from('\uFEFF' + text, 'utf16le');
  return encoding === 'utf16le' ? le : le.swap16();
};

describe('transcodeToUtf8', () => {
  it.each(['utf16le', 'utf16be'] as const)('writes %s with a BOM as UTF-8 without one', async (enc) => {
    const text = 'id,name\r\n1,Zoë €\r\n2,😀\r\n';
    const encoding = enc === 'utf16le' ? 'utf-16le' : 'utf-16be';
    expect(await transcoded(utf16(text, enc), { encoding, bomLength: 2 })).toBe(text);
  });

  it('drops a UTF-8 byte-order mark', async () => {
    const out = await transcoded(Buffer.from('\uFEFFid,name\n1,a\n'), { encoding: 'utf-8', bomLength: 3 });
    expect(out).toBe('id,name\n1,a\n');
  });

  it('reads Windows-1252 € ’ é as those characters', async () => {
    const bytes = Buffer.concat([
      Buffer.from('price,note\n5 '),
      Buffer.from([0x80]),
      Buffer.from(',it'),
      Buffer.from([0x92]),
      Buffer.from('s caf'),
      Buffer.from([0xe9, 0x0a]),
    ]);
    expect(await transcoded(bytes, { encoding: 'windows-1252', bomLength: 0 })).toBe(
      'price,note\n5 €,it’s café\n',
    );
  });

  it('creates the output with mode 0600 and refuses to overwrite a file', async () => {
    const out = path.join(dir, 'out.csv');
    await transcodeToUtf8(input('a\n'), out, { encoding: 'utf-8', bomLength: 0 });
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    await expect(
      transcodeToUtf8(input('b\n'), out, { encoding: 'utf-8', bomLength: 0 }),
    ).rejects.toMatchObject({ code: 'EEXIST' });
    expect(fs.readFileSync(out, 'utf8')).toBe('a\n');
  });

  it('names the byte and line of invalid UTF-8 and removes the partial output', async () => {
    const e = await failure(
      Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]),
      {
        encoding: 'utf-8',
        bomLength: 0,
      },
    );
    expect(e.code).toBe('ENCODING');
    expect(e.message).toBe('bytes that are not valid UTF-8 at byte 11 (line 3)');
    expect({ byteOffset: e.byteOffset, line: e.line }).toEqual({ byteOffset: 10, line: 3 });
  });

  it('finds invalid bytes far past the first chunk', async () => {
    const head = 'x,y\n'.repeat(700_000);
    const e = await failure(Buffer.concat([Buffer.from('\uFEFF' + head), Buffer.from([0xff])]), {
      encoding: 'utf-8',
      bomLength: 3,
    });
    expect(e.message).toBe(`bytes that are not valid UTF-8 at byte ${4 + head.length} (line 700001)`);
  });

  it('refuses a UTF-8 character cut by the end of the file', async () => {
    const e = await failure(Buffer.from([0x61, 0x0a, 0xe2, 0x82]), { encoding: 'utf-8', bomLength: 0 });
    expect(e.message).toBe('bytes that are not valid UTF-8 at byte 3 (line 2)');
  });

  it('refuses bytes Windows-1252 does not define', async () => {
    const e = await failure(Buffer.from([0x61, 0x0d, 0x62, 0x9d]), {
      encoding: 'windows-1252',
      bomLength: 0,
    });
    expect(e.message).toBe('bytes that Windows-1252 does not define at byte 4 (line 2)');
  });

  it('refuses UTF-16 with an odd number of bytes', async () => {
    const e = await failure(Buffer.concat([utf16('ab', 'utf16le'), Buffer.from([0x61])]), {
      encoding: 'utf-16le',
      bomLength: 2,
    });
    expect(e.message).toBe('bytes that are not valid UTF-16LE at byte 7 (line 1)');
  });

  it('removes the output when the input cannot be read', async () => {
    const out = path.join(dir, 'out.csv');
    await expect(
      transcodeToUtf8(path.join(dir, 'missing.csv'), out, { encoding: 'utf-8', bomLength: 0 }),
    ).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('transcodeToUtf8 with normalizeNewlines', () => {
  it('rewrites CR-only and mixed terminators to LF, keeping line breaks inside quotes', async () => {
    const text = 'a,b\r1,"x\r\ny"\r\n2,3\n4,"p\rq"\r';
    const out = await transcoded(text, {
      encoding: 'utf-8',
      bomLength: 0,
      normalizeNewlines: true,
      delimiter: ',',
      quote: '"',
    });
    expect(out).toBe('a,b\n1,"x\r\ny"\n2,3\n4,"p\rq"\n');
  });

  it('handles a CRLF and a quoted field split across read chunks', async () => {
    const filler = 'a'.repeat((1 << 20) - 5);
    const text = `${filler},"1\r\n2"\r\n3,4\r\n`;
    const out = await transcoded(text, { encoding: 'utf-8', bomLength: 0, normalizeNewlines: true });
    expect(out).toBe(`${filler},"1\r\n2"\n3,4\n`);
    const crlfAtBoundary = `${'b'.repeat((1 << 20) - 1)}\r\nc\r\n`;
    fs.rmSync(path.join(dir, 'out.csv'));
    expect(
      await transcoded(crlfAtBoundary, { encoding: 'utf-8', bomLength: 0, normalizeNewlines: true }),
    ).toBe(`${'b'.repeat((1 << 20) - 1)}\nc\n`);
  });

  it('makes a mixed-ending file readable by DuckDB, which refuses it as it is', async () => {
    const text = 'a,b\r\n1,"x\r\ny"\n2,3\r4,5\r\n';
    const raw = input(text);
    const out = path.join(dir, 'out.csv');
    await transcodeToUtf8(raw, out, {
      encoding: 'utf-8',
      bomLength: 0,
      normalizeNewlines: true,
      delimiter: ',',
      quote: '"',
    });
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const read = (file: string) =>
      connection.runAndReadAll(
        `select * from read_csv('${file}', auto_detect=false, header=true, delim=',', quote='"', escape='"', ` +
          `columns={'a':'VARCHAR','b':'VARCHAR'}, strict_mode=true, parallel=false)`,
      );
    await expect(read(raw)).rejects.toThrow(/Invalid Input Error/);
    expect((await read(out)).getRowObjectsJson()).toEqual([
      { a: '1', b: 'x\r\ny' },
      { a: '2', b: '3' },
      { a: '4', b: '5' },
    ]);
    connection.closeSync();
  });
});
