// Regenerates ../knn-fixtures.json by running OpenRefine's own clustering library (Vicino 1.2,
// as OpenRefine 3.x ships it) through VicinoReference.java. Dev tool, not run by the tests:
//   apt-get install libopenrefine-vicino-java libopenrefine-arithcode-java libsecondstring-java
//   node packages/core/src/cluster/knn/reference/gen-fixtures.mjs
//   npx prettier --write packages/core/src/cluster/knn/knn-fixtures.json
// Java runs with -XX:ActiveProcessorCount=1 for `expected`: Vicino splits the blocks over one
// thread per core and reports each thread's partial neighbourhoods separately, so with more cores
// OpenRefine's output depends on the machine; one core gives the complete per-value
// neighbourhoods. `expectedByCores` holds what 2- and 4-core machines give (knn.ts reproduces
// them with `openRefineThreads`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const CP = ['vicino', 'openrefine-arithcode', 'com.wcohen.secondstring']
  .map((j) => `/usr/share/java/${j}.jar`)
  .join(':');
const build = mkdtempSync(join(tmpdir(), 'vicino-'));
execFileSync('javac', ['-cp', CP, '-d', build, join(here, 'VicinoReference.java')]);

const hex = (s) =>
  [...Array(s.length).keys()].map((i) => s.charCodeAt(i).toString(16).padStart(4, '0')).join('');
const unhex = (h) => String.fromCharCode(...(h.match(/.{4}/g) ?? []).map((x) => parseInt(x, 16)));

function vicino(method, radius, ngram, values, pairs = [], cores = 1) {
  const input =
    [
      `${method} ${radius} ${ngram}`,
      ...values.map(hex),
      ...pairs.map(([a, b]) => `? ${hex(a)} ${hex(b)}`),
    ].join('\n') + '\n';
  const out = execFileSync(
    'java',
    [
      `-XX:ActiveProcessorCount=${cores}`,
      '-Dfile.encoding=UTF-8',
      '-cp',
      `${CP}:${build}`,
      'VicinoReference',
    ],
    { input, encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  const clusters = [];
  const distances = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    if (line.startsWith('d ')) distances.push(Number(line.slice(2)));
    else clusters.push(line.split(' ').map(unhex));
  }
  return { clusters, distances };
}

// Seeded generator of names with typos (same idea as bench/cluster-knn.mjs, smaller).
function rng(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}
const FIRST = [
  'John',
  'Mary',
  'Robert',
  'Patricia',
  'Michael',
  'Linda',
  'William',
  'Élodie',
  'José',
  'Zoë',
  'Søren',
  'Ağca',
];
const LAST = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Müller',
  'Nguyễn',
  "O'Brien",
];
const SUFFIX = ['', '', ' Inc.', ' Ltd', ' & Co', ', Jr.'];
function typo(r, s) {
  const i = Math.floor(r() * s.length);
  const k = r();
  const c = String.fromCharCode(97 + Math.floor(r() * 26));
  if (k < 0.25) return s.slice(0, i) + s.slice(i + 1);
  if (k < 0.5) return s.slice(0, i) + c + s.slice(i);
  if (k < 0.75) return s.slice(0, i) + c + s.slice(i + 1);
  if (k < 0.9)
    return (
      s.slice(0, i) +
      s
        .slice(i, i + 2)
        .split('')
        .reverse()
        .join('') +
      s.slice(i + 2)
    );
  return r() < 0.5 ? s.toUpperCase() : s.toLowerCase();
}
function typoNames(seed, n) {
  const r = rng(seed);
  const out = new Set();
  while (out.size < n) {
    const pick = (a) => a[Math.floor(r() * a.length)];
    let s = `${pick(FIRST)} ${pick(LAST)}${pick(SUFFIX)}`;
    const t = Math.floor(r() * 3);
    for (let k = 0; k < t; k++) s = typo(r, s);
    out.add(s);
  }
  return [...out];
}

const ISSUE_3397 = [
  'Unipress',
  'Seepresse',
  'UNIPRESS.',
  'Edipresse',
  'Légipresse',
  'Mediapresse',
  'Mediapresse.',
  'Socpresse',
  'UNIPRESS',
  'UNIPRESS,',
  'UniPress',
];
const UNICODE = [
  'Café de Flore',
  'Cafe de Flore',
  'CAFÉ DE FLORE',
  'Café  de  Flore',
  'Café de Flore.',
  'Cafe\u0301 de Flore',
  'ﬁnance ministry',
  'finance ministry',
  'Finance Ministry!',
  'İstanbul Airport',
  'istanbul airport',
  'ISTANBUL AIRPORT',
  '東京都千代田区',
  '東京都千代田巴',
  '東京都 千代田区',
  'מרכז העיר תל אביב',
  'מרכז העיר תל אביו',
  'مدينة الرياض الجديدة',
  'مدينة الرياض الجديده',
  'party 🎉🎉 time',
  'party 🎉🎊 time',
  'party 🎉 time',
  'zero\u200bwidth space',
  'zerowidth space',
  'zero width space',
  'ΣΟΦΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ',
  'σοφια παπαδοπουλου',
  'Σοφία Παπαδοπούλου',
  'Straße Berlin',
  'STRASSE BERLIN',
  'Strasse Berlin',
  '',
  ' ',
  '      ',
  'short',
  'shorts',
  'abcdef',
  'abcdeg',
  'a-b-c-d-e-f',
  'abc def',
  'abc\tdef',
  '  abc def  ',
  '-abcdef',
  'abcdef-',
];

const cases = [
  {
    name: 'OpenRefine kNNClustererTests.serializekNNClusterer',
    source:
      'OpenRefine/OpenRefine main/tests/server/src/com/google/refine/clustering/knn/kNNClustererTests.java',
    method: 'ppm',
    radius: 1,
    blockingNgramSize: 2,
    values: ['ab', 'abc', 'c', 'ĉ'],
  },
  {
    name: 'OpenRefine kNNClustererTests.testNoLonelyclusters',
    source:
      'OpenRefine/OpenRefine main/tests/server/src/com/google/refine/clustering/knn/kNNClustererTests.java',
    method: 'ppm',
    radius: 1,
    blockingNgramSize: 2,
    values: ['foo', 'bar'],
  },
  {
    name: 'OpenRefine issue 3397 values, levenshtein radius 3 block 6',
    source: 'OpenRefine/OpenRefine issue #3397 (values as reported); expected from Vicino 1.2',
    method: 'levenshtein',
    radius: 3,
    blockingNgramSize: 6,
    values: ISSUE_3397,
  },
  {
    name: 'OpenRefine issue 3397 values, levenshtein radius 1 block 3',
    source: 'OpenRefine/OpenRefine issue #3397 (values); expected from Vicino 1.2',
    method: 'levenshtein',
    radius: 1,
    blockingNgramSize: 3,
    values: ISSUE_3397,
  },
  {
    name: 'OpenRefine issue 3397 values, ppm radius 1 block 6',
    source: 'OpenRefine/OpenRefine issue #3397 (values); expected from Vicino 1.2',
    method: 'ppm',
    radius: 1,
    blockingNgramSize: 6,
    values: ISSUE_3397,
  },
];
for (const [method, radius, b] of [
  ['levenshtein', 1, 6],
  ['levenshtein', 2, 3],
  ['levenshtein', 1, 1],
  ['ppm', 1, 6],
  ['ppm', 2, 3],
]) {
  cases.push({
    name: `Unicode, empty and whitespace values, ${method} radius ${radius} block ${b}`,
    source: 'Tidyvault values; expected from Vicino 1.2',
    method,
    radius,
    blockingNgramSize: b,
    values: UNICODE,
  });
}
for (const [method, radius, b, seed, n] of [
  ['levenshtein', 1, 6, 1, 400],
  ['levenshtein', 2, 6, 2, 400],
  ['levenshtein', 1, 3, 3, 300],
  ['levenshtein', 3, 4, 4, 300],
  ['ppm', 1, 6, 5, 250],
  ['ppm', 1.5, 4, 6, 200],
]) {
  cases.push({
    name: `names with typos (seed ${seed}), ${method} radius ${radius} block ${b}`,
    source: 'generated names; expected from Vicino 1.2',
    method,
    radius,
    blockingNgramSize: b,
    values: typoNames(seed, n),
  });
}

const canonical = (clusters) =>
  clusters.map((cl) => [...cl].sort()).sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1));
for (const c of cases) {
  c.expected = canonical(vicino(c.method, c.radius, c.blockingNgramSize, c.values).clusters);
  // OpenRefine on 2- and 4-core machines (values populated in the order listed).
  c.expectedByCores = {};
  for (const cores of [2, 4]) {
    c.expectedByCores[cores] = canonical(
      vicino(c.method, c.radius, c.blockingNgramSize, c.values, [], cores).clusters,
    );
  }
}

// Distances for pairs (PPM is compared number for number).
const distValues = [...UNICODE, ...ISSUE_3397, ...typoNames(7, 60)];
const pairs = [];
const r = rng(99);
for (let k = 0; k < 400; k++)
  pairs.push([
    distValues[Math.floor(r() * distValues.length)],
    distValues[Math.floor(r() * distValues.length)],
  ]);
const distances = {};
for (const method of ['levenshtein', 'ppm']) distances[method] = vicino(method, 0, 6, [], pairs).distances;

writeFileSync(
  join(here, '..', 'knn-fixtures.json'),
  JSON.stringify(
    {
      generatedBy: 'packages/core/src/cluster/knn/reference/gen-fixtures.mjs (Vicino 1.2, 1 core)',
      cases,
      pairs,
      distances,
    },
    null,
    1,
  ) + '\n',
);
console.log(`${cases.length} cases, ${pairs.length} pairs`);
