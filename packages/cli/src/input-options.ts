import type { ImportOptions, InputFormat, NodeEngineOptions } from '@tidyvault/engine-node';
import path from 'node:path';
import { spillFolderProblem } from '@tidyvault/engine-node/spill-folder';
import { INPUT_FORMATS } from '@tidyvault/engine-node';
import { UsageError, optionalInt, type Args } from './args.js';

const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;

export function importOptions(args: Args, formatFlag: string): ImportOptions {
  const o: ImportOptions = { formatFlag: `--${formatFlag}` };
  const given = args.values[formatFlag];
  // .jsonl files are NDJSON (help.ts: "ndjson/jsonl").
  const format = given === 'jsonl' ? 'ndjson' : given;
  if (typeof format === 'string') {
    if (!(INPUT_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--${formatFlag} must be one of ${INPUT_FORMATS.join(', ')}`);
    }
    o.format = format as InputFormat;
  }
  const ragged = args.values.ragged;
  if (ragged !== undefined) {
    if (ragged !== 'extend' && ragged !== 'error')
      throw new UsageError('--ragged must be "extend" or "error"');
    o.ragged = ragged;
  }
  if (typeof args.values.sheet === 'string') o.sheet = args.values.sheet;
  const d = args.values.delimiter;
  if (typeof d === 'string') {
    const delimiter = d === 'tab' || d === '\\t' ? '\t' : d;
    if ([...delimiter].length !== 1) throw new UsageError('--delimiter must be one character (or "tab")');
    o.delimiter = delimiter;
  }
  const e = args.values.encoding;
  if (typeof e === 'string') {
    const enc = e
      .toLowerCase()
      .replace(/^utf8$/, 'utf-8')
      .replace(/^(cp|windows)-?1252$|^latin-?1$/, 'windows-1252');
    if (!(ENCODINGS as readonly string[]).includes(enc))
      throw new UsageError(`--encoding must be one of ${ENCODINGS.join(', ')}`);
    o.encoding = enc as (typeof ENCODINGS)[number];
  }
  if (args.values.header && args.values['no-header'])
    throw new UsageError('--header and --no-header contradict each other: give one');
  if (args.values.header) o.header = true;
  if (args.values['no-header']) o.header = false;
  return o;
}

export function engineOptions(args: Args, allowedPaths: string[]): NodeEngineOptions {
  const o: NodeEngineOptions = { allowedPaths };
  const m = args.values['memory-limit'];
  if (typeof m === 'string') {
    const size = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.exec(m);
    if (!size) throw new UsageError('--memory-limit must look like 512MB or 8GB');
    // 0GB passed this check and failed later with DuckDB's own out-of-memory message. Up to a few
    // hundred MB a load may still run out, with the import's own message.
    const unit = ['KB', 'MB', 'GB', 'TB'].indexOf(size[2]!.toUpperCase().replace('I', ''));
    if (!(Number(size[1]) * 1024 ** (unit + 1) >= 64 * 2 ** 20))
      throw new UsageError('--memory-limit must be at least 64MB');
    o.memoryLimit = m;
  }
  const spill = args.values['spill-dir'];
  if (typeof spill === 'string') o.spillDirectory = privateFolder(spill);
  const t = optionalInt(args, 'threads', 1, 1024);
  if (t !== undefined) o.threads = t;
  return o;
}

function privateFolder(folder: string): string {
  const abs = path.resolve(folder);
  const problem = spillFolderProblem(abs);
  if (problem) throw new UsageError(`--spill-dir ${folder} ${problem}`);
  return abs;
}
