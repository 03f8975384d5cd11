#!/usr/bin/env node
// Nearest-neighbour clustering benchmark: `levenshtein` kNN with OpenRefine's n-gram blocking
// (radius 1, blocking n-gram 6 by default) over N distinct values (default 100,000; target < 15 s;
// OpenRefine hangs at this size). Values are realistic person and company names: 60% clean, 40%
// with one to three typos (deletion, insertion, substitution, transposition, case change),
// some with accents; all distinct. Reports the median wall time of R runs (default 3) of
// knnClusters() from packages/core (the same TypeScript the browser runs), the clusters found,
// the largest block, and the process's peak RSS. Runs in-process, values already in memory
// (no file reading: this measures the clustering).
// Usage: npx tsc -b packages/cli && node bench/cluster-knn.mjs [--values 100000] [--runs 3]
//        [--method levenshtein|ppm] [--radius 1] [--ngram 6]
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { knnClusters, blockingNgrams } = await import(
  pathToFileURL(path.join(REPO, 'packages/core/dist/cluster/knn/index.js')).href
);
const TARGET_S = 15;

const opts = { values: 100_000, runs: 3, method: 'levenshtein', radius: 1, ngram: 6 };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const next = () => process.argv[++i];
  if (a === '--values') opts.values = Number.parseInt(next(), 10);
  else if (a === '--runs') opts.runs = Number.parseInt(next(), 10);
  else if (a === '--method') opts.method = next();
  else if (a === '--radius') opts.radius = Number(next());
  else if (a === '--ngram') opts.ngram = Number.parseInt(next(), 10);
  else throw new Error(`unknown option ${a}`);
}

// prettier-ignore
const FIRST = ['James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda','David','Elizabeth','William','Barbara','Richard','Susan','Joseph','Jessica','Thomas','Sarah','Charles','Karen','Christopher','Lisa','Daniel','Nancy','Matthew','Betty','Anthony','Margaret','Mark','Sandra','Donald','Ashley','Steven','Kimberly','Paul','Emily','Andrew','Donna','Joshua','Michelle','Kenneth','Carol','Kevin','Amanda','Brian','Dorothy','George','Melissa','Timothy','Deborah','Ronald','Stephanie','Edward','Rebecca','Jason','Sharon','Jeffrey','Laura','Ryan','Cynthia','Jacob','Kathleen','Gary','Amy','Nicholas','Angela','Eric','Shirley','Jonathan','Anna','Stephen','Brenda','Larry','Pamela','Justin','Emma','Scott','Nicole','Brandon','Helen','Benjamin','Samantha','Samuel','Katherine','Gregory','Christine','Alexander','Debra','Frank','Rachel','Patrick','Carolyn','Raymond','Janet','Jack','Catherine','Dennis','Maria','Jerry','Heather','Tyler','Diane','Aaron','Ruth','José','Julie','Adam','Olivia','Nathan','Joyce','Henry','Virginia','Douglas','Victoria','Zachary','Kelly','Peter','Lauren','Kyle','Christina','Ethan','Joan','Walter','Evelyn','Noah','Judith','Jeremy','Megan','Christian','Andrea','Keith','Cheryl','Roger','Hannah','Terry','Jacqueline','Gerald','Martha','Harold','Gloria','Sean','Teresa','Austin','Ann','Carl','Sara','Arthur','Madison','Lawrence','Frances','Dylan','Kathryn','Jesse','Janice','Jordan','Jean','Bryan','Abigail','Billy','Alice','Joe','Judy','Bruce','Sophia','Gabriel','Grace','Logan','Denise','Albert','Amber','Willie','Doris','Alan','Marilyn','Juan','Danielle','Wayne','Beverly','Elijah','Isabella','Randy','Theresa','Roy','Diana','Vincent','Natalie','Ralph','Brittany','Eugene','Charlotte','Russell','Marie','Bobby','Kayla','Mason','Alexis','Philip','Lori','Élodie','François','Zoë','Søren','Björn','Łukasz','Ağca','Nguyễn'];
// prettier-ignore
const LAST = ['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez','Hernandez','Lopez','Gonzalez','Wilson','Anderson','Thomas','Taylor','Moore','Jackson','Martin','Lee','Perez','Thompson','White','Harris','Sanchez','Clark','Ramirez','Lewis','Robinson','Walker','Young','Allen','King','Wright','Scott','Torres','Nguyen','Hill','Flores','Green','Adams','Nelson','Baker','Hall','Rivera','Campbell','Mitchell','Carter','Roberts','Gomez','Phillips','Evans','Turner','Diaz','Parker','Cruz','Edwards','Collins','Reyes','Stewart','Morris','Morales','Murphy','Cook','Rogers','Gutierrez','Ortiz','Morgan','Cooper','Peterson','Bailey','Reed','Kelly','Howard','Ramos','Kim','Cox','Ward','Richardson','Watson','Brooks','Chavez','Wood','James','Bennett','Gray','Mendoza','Ruiz','Hughes','Price','Alvarez','Castillo','Sanders','Patel','Myers','Long','Ross','Foster','Jimenez','Powell','Jenkins','Perry','Russell','Sullivan','Bell','Coleman','Butler','Henderson','Barnes','Gonzales','Fisher','Vasquez','Simmons','Romero','Jordan','Patterson','Alexander','Hamilton','Graham','Reynolds','Griffin','Wallace','Moreno','West','Cole','Hayes','Bryant','Herrera','Gibson','Ellis','Tran','Medina','Aguilar','Stevens','Murray','Ford','Castro','Marshall','Owens','Harrison','Fernandez','McDonald','Woods','Washington','Kennedy','Wells','Vargas','Henry','Chen','Freeman','Webb','Tucker','Guzman','Burns','Crawford','Olson','Simpson','Porter','Hunter','Gordon','Mendez','Silva','Shaw','Snyder','Mason','Dixon','Muñoz','Hunt','Hicks','Holmes','Palmer','Wagner','Black','Robertson','Boyd','Rose','Stone','Salazar','Fox','Warren','Mills','Meyer','Rice','Schmidt','Garza','Daniels','Ferguson','Nichols','Stephens','Soto','Weaver','Ryan','Gardner','Payne','Grant','Dunn','Kelley','Spencer','Hawkins','Arnold','Pierce','Vazquez','Hansen','Peters','Santos','Hart','Bradley','Knight','Elliott','Cunningham','Duncan','Armstrong','Hudson','Carroll','Lane','Riley','Andrews','Alvarado','Ray','Delgado','Berry','Perkins','Hoffman','Johnston','Matthews','Peña','Richards','Müller','O\'Brien','Dubois','Kowalski','Rossi','Janssen','Nakamura','Søndergaard'];
const MIDDLE = ['', '', '', '', ' A.', ' B.', ' C.', ' J.', ' M.', ' R.'];
const SUFFIX = ['', '', '', '', '', '', ', Jr.', ' III', ' Ltd', ' & Co', ' Inc.'];

function rng(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}
const r = rng(42);
const pick = (a) => a[Math.floor(r() * a.length)];
function typo(s) {
  const i = Math.floor(r() * s.length);
  const k = r();
  const c = String.fromCharCode(97 + Math.floor(r() * 26));
  if (k < 0.25) return s.slice(0, i) + s.slice(i + 1);
  if (k < 0.5) return s.slice(0, i) + c + s.slice(i);
  if (k < 0.75) return s.slice(0, i) + c + s.slice(i + 1);
  if (k < 0.92)
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
function generate(n) {
  const out = new Set();
  const clean = [];
  while (out.size < n) {
    let s;
    if (clean.length > 100 && r() < 0.4) {
      s = pick(clean);
      const t = 1 + Math.floor(r() * 3);
      for (let k = 0; k < t; k++) s = typo(s);
    } else {
      s = `${pick(FIRST)}${pick(MIDDLE)} ${pick(LAST)}${pick(SUFFIX)}`;
      clean.push(s);
    }
    out.add(s);
  }
  return [...out].map((value) => ({ value, count: 1 + Math.floor(r() * 5) }));
}

const values = generate(opts.values);
const blocks = new Map();
for (const { value } of values)
  for (const g of blockingNgrams(value, opts.ngram)) blocks.set(g, (blocks.get(g) ?? 0) + 1);
let largest = 0;
for (const k of blocks.values()) largest = Math.max(largest, k);
const pairs = [...blocks.values()].reduce((s, k) => s + (k * (k - 1)) / 2, 0);

const params = { method: opts.method, radius: opts.radius, blockingNgramSize: opts.ngram };
console.log(
  `${opts.method} kNN, radius ${opts.radius}, blocking n-gram ${opts.ngram}: ${values.length.toLocaleString('en')} distinct values, ` +
    `${blocks.size.toLocaleString('en')} blocks (largest ${largest.toLocaleString('en')}, ${pairs.toLocaleString('en')} in-block pairs before de-duplication)`,
);
blocks.clear();
const times = [];
let clusters;
for (let run = 1; run <= opts.runs; run++) {
  let progressCalls = 0;
  const t0 = performance.now();
  clusters = await knnClusters(values, params, { onProgress: () => progressCalls++ });
  const s = (performance.now() - t0) / 1000;
  times.push(s);
  console.log(
    `run ${run}: ${s.toFixed(2)} s, ${clusters.length.toLocaleString('en')} clusters, ${progressCalls} progress callbacks`,
  );
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const peakMiB = process.resourceUsage().maxRSS / 1024;
const sizes = clusters.map((c) => c.values.length);
console.log(
  `median ${median.toFixed(2)} s (target < ${TARGET_S} s: ${median < TARGET_S ? 'met' : 'MISSED'}); peak RSS ${peakMiB.toFixed(0)} MiB; ` +
    `clusters: ${clusters.length.toLocaleString('en')}, largest ${sizes.reduce((a, b) => Math.max(a, b), 0)} values; node ${process.version}`,
);
