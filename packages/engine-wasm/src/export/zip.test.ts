import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { xlsxParts, type XlsxCell, type XlsxColumn } from '@tidyvault/core';
import { afterAll, describe, expect, it } from 'vitest';
import { writeXlsx } from '../../../engine-node/src/xlsx/write-xlsx.js';
import { readXlsxRows } from '../../../engine-node/src/xlsx/read-xlsx.js';
import { crc32, zipBlob } from './zip.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-wasm-zip-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every entry of a zip (name, header fields, inflated text). */
function entries(zip: Buffer) {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = zip.readUInt32LE(end + 16);
  const out = [];
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    const offset = zip.readUInt32LE(at + 42);
    const local = offset + 30 + zip.readUInt16LE(offset + 26);
    out.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      // version, flags, method, time, date of the central and the local header
      fields: [
        zip.subarray(at + 4, at + 16).toString('hex'),
        zip.subarray(offset + 4, offset + 14).toString('hex'),
      ],
      text: zlib.inflateRawSync(zip.subarray(local, local + zip.readUInt32LE(at + 20))).toString('utf8'),
    });
    at += 46 + nameLength;
  }
  return out;
}

const COLUMNS: XlsxColumn[] = [
  { name: '=name', type: 'text' },
  { name: 'amount', type: 'number' },
  { name: 'n', type: 'integer' },
  { name: 'day', type: 'date' },
];
const ROWS: XlsxCell[][] = [
  ['=1+2', 1.5, 12, '2024-02-29'],
  [' padded ', '0.10000000000000000001', '9007199254740993', '1899-12-31'],
  ['a\rb\u0001_x0041_<&>"', null, -3, null],
  [null, null, null, null],
  // Long cells (at most the 32,767 characters an Excel cell holds), together past one deflate chunk.
  ['x'.repeat(32_766), 1e21, 0, '1900-03-01'],
  ['y'.repeat(32_766), null, 1, null],
  ['z'.repeat(10_000), null, 2, null],
];

async function* rows() {
  yield* ROWS;
}

describe('xlsx in the browser (core parts, zipped with CompressionStream)', () => {
  for (const formulaGuard of [true, false]) {
    it(`has engine-node's parts, byte for byte (formula guard ${formulaGuard ? 'on' : 'off'})`, async () => {
      const file = path.join(dir, `node-${formulaGuard}.xlsx`);
      await writeXlsx(file, COLUMNS, rows(), { formulaGuard });
      const blob = await zipBlob(xlsxParts(COLUMNS, rows(), { formulaGuard }), 'xlsx', 'x');
      const mine = Buffer.from(await blob.arrayBuffer());
      expect(entries(mine)).toEqual(entries(fs.readFileSync(file)));
      // engine-node's guarded reader opens it, and reads the cells back.
      const wasmFile = path.join(dir, `wasm-${formulaGuard}.xlsx`);
      fs.writeFileSync(wasmFile, mine);
      const back = [];
      for await (const row of readXlsxRows(wasmFile)) back.push(row.cells);
      expect(back[0]![0]).toBe(formulaGuard ? "'=name" : '=name');
      expect(back[1]![1]).toBe('1.5');
      expect(back[2]).toEqual([' padded ', '0.10000000000000000001', '9007199254740993', '1899-12-31']);
    });
  }

  it('refuses more columns than a sheet holds', () => {
    const many = Array.from({ length: 16_385 }, (_, i) => ({ name: `c${i}`, type: 'text' as const }));
    expect(() => xlsxParts(many, rows(), { formulaGuard: true })).toThrow(/at most 16384 columns/);
  });

  it('computes zip CRC-32 as zlib does, across chunks', () => {
    const data = new TextEncoder().encode('The quick brown fox jumps over the lazy dog 😀');
    expect(crc32(data)).toBe(zlib.crc32(data));
    expect(crc32(data.subarray(10), crc32(data.subarray(0, 10)))).toBe(zlib.crc32(data));
    expect(crc32(new Uint8Array())).toBe(0);
  });
});
