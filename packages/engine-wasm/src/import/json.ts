import {
  jsonImportError,
  JsonScanError,
  JsonScanner,
  repairHeaderNames,
  TidyvaultError,
  type Column,
  notAnObject,
} from '@tidyvault/core';
import { quoteIdentifier, statement } from '@tidyvault/sql';
import { Table } from 'apache-arrow';
import { utf8Vector } from '../cluster-keys.js';
import type { Connection } from '../connection.js';
import { dropTable } from './csv.js';
import { JsonSyntaxError, readRecord, RecordSplitter } from './json-text.js';

/*
 * JSON (an array of objects) and NDJSON (one object per line) with engine-node's rules
 * (its import/json.ts runs DuckDB's json extension, which DuckDB-WASM lacks): keys become
 * columns in order of first appearance, names repaired (duplicates case-insensitively); strings
 * stay as they are, numbers and booleans keep their JSON text, nested values become JSON text,
 * null and missing keys are NULL. The file is read in chunks, checked by core's JsonScanner (as
 * engine-node checks it, so both give the same verdict and message) and parsed a record at a
 * time; rows go to DuckDB through Arrow in batches.
 */

const MAX_COLUMNS = 16_384;
const BATCH_ROWS = 16_384;

export interface JsonImportContext {
  connection: Connection;
  table: string;
  displayName: string;
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}

export async function importJson(
  chunks: AsyncIterable<Uint8Array>,
  ctx: JsonImportContext,
  format: 'json' | 'ndjson',
): Promise<{ columns: Column[]; rowCount: number; warnings: string[] }> {
  const name = ctx.displayName;
  const label = format === 'json' ? 'JSON' : 'NDJSON';
  const hint = format === 'json' ? 'expected a JSON array of objects' : 'expected one JSON object per line';
  const invalid = (detail: string) =>
    new TidyvaultError('IMPORT_FORMAT', `${name}: not valid ${label} (${hint}): ${detail}`, { file: name });
  // Staged under names no key can have, renamed once every key is known.
  const tag = `__tidyvault_${randomHex(6)}_`;
  const keys = new Map<string, number>();
  const c = ctx.connection;
  let batch: (string | null)[][] = [];
  let batchRows = 0;
  let rows = 0;
  let created = false;

  const flush = async () => {
    // Before the first key, rows without one wait: the first column pads them with NULL.
    if (batchRows === 0 || batch.length === 0) return;
    const vectors: Record<string, ReturnType<typeof utf8Vector>> = {};
    batch.forEach((values, i) => {
      while (values.length < batchRows) values.push(null);
      vectors[`${tag}${i}`] = utf8Vector(values);
    });
    await c.insertArrow(new Table(vectors), ctx.table);
    batch = batch.map(() => []);
    batchRows = 0;
  };
  const addKey = async (key: string) => {
    if (keys.size >= MAX_COLUMNS)
      throw new TidyvaultError('IMPORT_LIMIT', `${name}: more than ${MAX_COLUMNS} distinct keys`, {
        file: name,
      });
    await flush();
    const column = `${tag}${keys.size}`;
    if (!created) {
      await c.run(
        statement({
          kind: 'createEmptyTable',
          name: ctx.table,
          columns: [{ name: column, type: 'VARCHAR' }],
        }),
      );
      created = true;
    } else {
      await c.run(`ALTER TABLE ${quoteIdentifier(ctx.table)} ADD COLUMN ${quoteIdentifier(column)} VARCHAR`);
    }
    keys.set(key, keys.size);
    batch.push([]);
  };
  const add = async (text: string) => {
    const record = readRecord(text);
    rows++;
    if (record.kind !== 'object') throw invalid(`record ${rows} is ${notAnObject(record.kind)}`);
    for (const [key] of record.entries) if (!keys.has(key)) await addKey(key);
    for (const [key, cell] of record.entries) {
      const column = batch[keys.get(key)!]!;
      while (column.length < batchRows) column.push(null);
      column.push(cell);
    }
    batchRows++;
    if (batchRows >= BATCH_ROWS) await flush();
  };

  try {
    const splitter = new RecordSplitter(format);
    const scanner = new JsonScanner(format);
    try {
      for await (const chunk of chunks) {
        for (const record of splitter.push(scanner.push(chunk))) await add(record);
      }
      for (const record of splitter.push(scanner.finish())) await add(record);
      for (const record of splitter.finish()) await add(record);
    } catch (e) {
      if (e instanceof JsonScanError) throw jsonImportError(name, format, e.problem);
      if (e instanceof JsonSyntaxError) throw invalid(e.message);
      throw e;
    }
    if (rows === 0)
      throw new TidyvaultError('IMPORT_EMPTY', `${name}: the file holds no records`, { file: name });
    if (!created) throw invalid('no object has any key');
    await flush();
    const names = repairHeaderNames([...keys.keys()], { caseInsensitive: true });
    for (let i = 0; i < names.length; i++) {
      await c.run(
        `ALTER TABLE ${quoteIdentifier(ctx.table)} RENAME COLUMN ${quoteIdentifier(`${tag}${i}`)} TO ${quoteIdentifier(names[i]!)}`,
      );
    }
    return { columns: names.map((n) => ({ name: n, type: 'text' })), rowCount: rows, warnings: [] };
  } catch (e) {
    await dropTable(c, ctx.table);
    throw e;
  }
}
