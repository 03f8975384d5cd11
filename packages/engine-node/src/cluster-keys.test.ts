import fs from 'node:fs';
import path from 'node:path';
import { keyCollisionClusters } from '@tidyvault/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEngine } from './node-engine.js';

let engine: NodeEngine;
beforeAll(async () => {
  engine = await NodeEngine.open();
});
afterAll(async () => {
  await engine.close();
});

describe('cluster over a column of 1,000,000 distinct values (fingerprint)', () => {
  it('gives the same clusters as the TypeScript reference', async () => {
    const values: string[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      const b = i >> 2;
      const word = b % 7 === 0 ? 'Zürich' : b % 7 === 1 ? '東京' : 'Acme';
      const v = [`${word} ${b}`, `${word.toUpperCase()}  ${b}`, `${b}, ${word}`, ` ${word}.${b}`][i & 3]!;
      values.push(v);
    }
    const csv = 'name\n' + values.map((v) => (/[",]/.test(v) ? `"${v}"` : v)).join('\n') + '\n';
    const dataset = await engine.loadCsv('million.csv', new TextEncoder().encode(csv));
    expect(dataset.rowCount).toBe(1_000_000);
    const result = await engine.cluster(dataset, 'name', 'fingerprint', undefined);
    const expected = keyCollisionClusters(
      values,
      new Array<number>(values.length).fill(1),
      'fingerprint',
      undefined,
    );
    expect(result.clusters.length).toBe(expected.length);
    expect(result.clusters.length).toBe(250_000);
    expect(result.clusters.slice(0, 2000)).toEqual(expected.slice(0, 2000));
    expect(result.clusters.slice(-2000)).toEqual(expected.slice(-2000));
    await engine.drop(dataset);
  });
});

describe('cluster-merge key tables', () => {
  const recipe = {
    version: 1 as const,
    steps: [{ op: 'cluster-merge' as const, column: 'v', method: 'fingerprint' as const }],
  };
  const keyTables = async () =>
    (
      await engine.connection.runAndReadAll(
        "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'cluster_keys_%'",
      )
    ).getRowsJson();

  it('are filled once per distinct value and dropped with the dataset', async () => {
    const a = await engine.loadCsv('a.csv', new TextEncoder().encode('v\nCafé\ncafe\ncafe\nBoston\n'));
    const r = await engine.run(a, recipe);
    expect(r.rows.map((x) => x[0])).toEqual(['cafe', 'cafe', 'cafe', 'Boston']);
    const rows = await engine.connection.runAndReadAll('SELECT count(*) FROM cluster_keys_fingerprint');
    expect(rows.getRowsJson()).toEqual([['3']]);
    await engine.run(a, recipe); // nothing new to key
    expect(
      (await engine.connection.runAndReadAll('SELECT count(*) FROM cluster_keys_fingerprint')).getRowsJson(),
    ).toEqual([['3']]);
    await engine.drop(a);
    expect(await keyTables()).toEqual([]);
    const b = await engine.loadCsv('b.csv', new TextEncoder().encode('v\nParis\nparis.\n'));
    expect((await engine.run(b, recipe)).rows.map((x) => x[0])).toEqual(['Paris', 'Paris']);
    await engine.drop(b);
  });

  it('survive while in use: dropping another dataset waits for the reads in flight', async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `Name ${i % 5000}`).join('\n');
    const a = await engine.loadCsv('a.csv', new TextEncoder().encode(`v\n${rows}\n`));
    const others = await Promise.all(
      [1, 2, 3].map((i) => engine.loadCsv(`o${i}.csv`, new TextEncoder().encode('v\nx\n'))),
    );
    for (const o of others) await engine.run(o, recipe);
    const reads = [engine.run(a, recipe), engine.profile(a, recipe), engine.run(a, recipe)];
    const drops = others.map((o) => engine.drop(o));
    const [first, , third] = await Promise.all(reads);
    await Promise.all(drops);
    expect(first.rows).toHaveLength(200_000);
    expect(third.rows[4999]).toEqual(['Name 4999']);
    await engine.drop(a);
  });
});

/** How many nearest-neighbour map tables the engine holds. */
const mapTables = async () =>
  (
    await engine.connection.runAndReadAll(
      "SELECT count(*)::INTEGER FROM duckdb_tables() WHERE table_name LIKE 'cluster_map_%'",
    )
  ).getRowsJson()[0]![0];

const loadValues = (name: string, values: string[]) =>
  engine.loadCsv(name, new TextEncoder().encode(`v\n${values.join('\n')}\n`));

const merge = { op: 'cluster-merge' as const, column: 'v', method: 'levenshtein' as const };

describe('a nearest-neighbour merge map', () => {
  it('is whole or absent: a fill that fails leaves no table, and the next run makes it whole', async () => {
    const data = await loadValues('knn.csv', ['Acme Inc', 'Acme Inc', 'Acme Inx', 'Globex']);
    const recipe = { version: 1 as const, steps: [merge] };
    const connection = engine.connection;
    const real = connection.createAppender.bind(connection);
    connection.createAppender = () => Promise.reject(new Error('appender failed'));
    try {
      await expect(engine.run(data, recipe)).rejects.toThrow(/appender failed/);
    } finally {
      connection.createAppender = real;
    }
    expect(await mapTables()).toBe(0);
    expect((await engine.run(data, recipe)).rows.map((r) => r[0])).toEqual([
      'Acme Inc',
      'Acme Inc',
      'Acme Inc',
      'Globex',
    ]);
    expect(await mapTables()).toBe(1);
    await engine.drop(data);
    expect(await mapTables()).toBe(0);
  });
});

describe('nearest-neighbour maps of tables that are gone', () => {
  it('are dropped with them: exports that stage the steps before the merge leave none behind', async () => {
    const data = await loadValues('knn2.csv', [' Acme Inc', 'Acme Inc', 'Acme Inx']);
    const recipe = { version: 1 as const, steps: [{ op: 'trim' as const, columns: ['v'] }, merge] };
    const dir = engine.staging.dir;
    try {
      for (let i = 0; i < 3; i++) {
        const out = path.join(dir, `out-${i}.csv`);
        await engine.export(data, recipe, out, { format: 'csv', formulaGuard: false });
        expect(fs.readFileSync(out, 'utf8')).toBe('v\nAcme Inc\nAcme Inc\nAcme Inc\n');
        expect(await mapTables()).toBe(0);
      }
      // A run reads the dataset itself: its map stays for the next run, one only.
      await engine.run(data, recipe);
      await engine.run(data, recipe);
      expect(await mapTables()).toBe(1);
    } finally {
      for (let i = 0; i < 3; i++) fs.rmSync(path.join(dir, `out-${i}.csv`), { force: true });
      await engine.drop(data);
    }
  });
});
