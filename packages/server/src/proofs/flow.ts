import { canaryCsv } from './canary.js';
import { Client, type Reply } from './client.js';
import type { ServerProcess } from './server-process.js';

/** What the flow saw; the proofs check it so a flow that silently did nothing cannot pass. */
export interface FlowResult {
  statuses: Record<string, number>;
  /** The canary came back in rows and in every export format that keeps text plain. */
  canarySeen: { rows: boolean; csv: boolean; json: boolean };
  datasetsAfterDelete: number;
}

const STEPS = [
  { op: 'trim', columns: ['name', 'city'] },
  { op: 'change-case', columns: ['city'], case: 'lower' },
  { op: 'replace', columns: ['amount'], find: '$', replace: '' },
  { op: 'dedupe-rows' },
  { op: 'sort-rows', by: [{ column: 'id' }] },
];

/**
 * The whole user journey of server mode, over real HTTP: sign in with the one-time link, upload
 * a canary CSV, add steps, undo/redo, page rows, profile, facet, cluster, export every format,
 * ask where the data is, delete, sign out. Every call must succeed.
 */
export async function fullFlow(server: ServerProcess, canary: string, rows = 5000): Promise<FlowResult> {
  const api = await Client.login(server);
  const statuses: Record<string, number> = {};
  const expect = (label: string, reply: Reply, want: number) => {
    statuses[label] = reply.status;
    if (reply.status !== want) {
      // The error code only: messages can quote cells.
      const code = /"code":"(\w+)"/.exec(reply.body.toString('utf8'))?.[1];
      throw new Error(`${label} answered ${reply.status} ${code ?? ''}, expected ${want}`);
    }
  };
  const up = await api.upload('canary.csv', canaryCsv(canary, rows));
  expect('upload', up, 201);
  const id = up.json().id as string;
  const base = `/api/datasets/${id}`;
  for (const [i, step] of STEPS.entries())
    expect(`step ${i}`, await api.post(`${base}/steps`, { step }), 200);
  expect('undo', await api.post(`${base}/undo`), 200);
  expect('redo', await api.post(`${base}/redo`), 200);
  expect('detail', await api.get(base), 200);
  const page = await api.get(`${base}/rows?offset=0&limit=200`);
  expect('rows', page, 200);
  expect('rows step 1', await api.get(`${base}/rows?offset=100&limit=50&step=1`), 200);
  expect('profile', await api.get(`${base}/profile`), 200);
  expect('facet', await api.get(`${base}/facet?column=city`), 200);
  expect('cluster', await api.post(`${base}/cluster`, { column: 'name', method: 'fingerprint' }), 200);
  expect('recipe', await api.get(`${base}/recipe`), 200);
  const exports: Record<string, Buffer> = {};
  for (const format of ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'xlsx']) {
    const r = await api.get(`${base}/export?format=${format}`);
    expect(`export ${format}`, r, 200);
    exports[format] = r.body;
  }
  expect('location', await api.get(`${base}/location`), 200);
  expect('delete', await api.delete(base), 204);
  expect('gone', await api.get(base), 404);
  const list = await api.get('/api/datasets');
  expect('list', list, 200);
  expect('logout', await api.post('/api/auth/logout'), 204);
  return {
    statuses,
    canarySeen: {
      rows: page.body.includes(canary),
      csv: exports.csv!.includes(canary),
      json: exports.json!.includes(canary),
    },
    datasetsAfterDelete: (list.json().datasets as unknown[]).length,
  };
}
