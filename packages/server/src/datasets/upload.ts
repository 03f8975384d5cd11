import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { emptyHistory, isTidyvaultError, TidyvaultError } from '@tidyvault/core';
import { formatFromName, INPUT_FORMATS, type ImportOptions, type NodeEngine } from '@tidyvault/engine-node';
import { z } from 'zod';
import type { ZodApp } from '../app-types.js';
import { ApiError, errorSchema } from '../errors.js';
import { admit, type AdmissionOptions } from './admission.js';
import { uploadResult } from './schemas.js';
import { checkLoaded, CsvLimitWatch, type UploadLimits } from './limits.js';
import type { MultipartFile } from '@fastify/multipart';
import { PaceWatch } from './pace-watch.js';
import type { UploadSlots } from './upload-slots.js';
import type { EngineMemory } from './memory.js';
import type { DatasetStore } from './store.js';
import { summary } from './views.js';

export const UPLOAD_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;

/**
 * How to read the file when sniffing guesses wrong (as the CLI's --delimiter, --encoding,
 * --no-header and --sheet). Each is optional; a bad value is a 400 naming the parameter.
 */
export const uploadQuery = z.object({
  delimiter: z
    .string()
    .transform((d) => (d === 'tab' || d === '\\t' ? '\t' : d))
    .refine((d) => [...d].length === 1, 'must be one character, or "tab" (or \\t) for a tab')
    .refine((d) => !['"', '\r', '\n'].includes(d), 'cannot be a double quote or a line break')
    .optional()
    .describe('CSV field delimiter: one character, or `tab` (also `\\t`); default: sniffed'),
  encoding: z
    .enum(UPLOAD_ENCODINGS, { error: `must be one of ${UPLOAD_ENCODINGS.join(', ')}` })
    .optional()
    .describe('CSV text encoding; default: sniffed'),
  header: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional()
    .describe(
      'CSV: is the first line a header? `false` names the columns column_1, column_2, …; default: sniffed',
    ),
  sheet: z
    .string()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .optional()
    .describe('xlsx: the sheet to read (default: the first)'),
  format: z
    .enum(INPUT_FORMATS, { error: `must be one of ${INPUT_FORMATS.join(', ')}` })
    .optional()
    .describe("the file's format; default: from the file name's extension"),
  ragged: z
    .enum(['error', 'extend'], { error: 'must be error or extend' })
    .optional()
    .describe(
      'rows with more fields than the header: refused naming the line (`error`, the default), or `extend` to add columns for the extra fields',
    ),
});
export type UploadQuery = z.infer<typeof uploadQuery>;

/** Room for the multipart envelope (boundaries, part headers) on top of the file itself. */
const ENVELOPE_BYTES = 64 * 1024;

const MAX_NAME = 255;

/** Bytes of the body buffered ahead of the staging file's writes. */
const STAGING_WRITE_BUFFER = 4 * 1024 * 1024;

/**
 * The upload's name as shown back to its owner: no folders, no control characters, at most 255
 * characters (a long name loses the end of its stem, not its extension, which says the format).
 */
export function cleanName(filename: string | undefined): string {
  const base = path.basename((filename ?? '').replaceAll('\\', '/'));
  // eslint-disable-next-line no-control-regex
  const name = base.replace(/[\u0000-\u001f\u007f]/g, '');
  if (name === '') return 'upload.csv';
  if (name.length <= MAX_NAME) return name;
  const ext = path.extname(name).slice(0, 16);
  return name.slice(0, MAX_NAME - ext.length) + ext;
}

/** Form fields allowed besides the file part (a browser's form may add a few); more is refused. */
const MAX_FORM_FIELDS = 5;

const MULTIPART_BROKEN =
  /Unexpected end of (multipart data|form)|Part terminated early|Malformed part header|Boundary not found/;

/** What the multipart parser or the socket said, as the client's problem (400), not the server's. */
function bodyError(e: unknown, complete: boolean): unknown {
  if (e instanceof ApiError || isTidyvaultError(e) || !(e instanceof Error)) return e;
  const code = (e as { code?: string }).code;
  if (MULTIPART_BROKEN.test(e.message))
    return new ApiError(
      400,
      'UPLOAD_MALFORMED',
      'the multipart body ends before its file part does (cut short, or not multipart/form-data)',
    );
  if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT')
    return new ApiError(
      400,
      'UPLOAD_MALFORMED',
      `the multipart body has more than ${MAX_FORM_FIELDS} form fields before its file part: send the file as a part named "file", and the options in the query`,
    );
  if (!complete || code === 'FST_MP_PREMATURE_CLOSE' || code === 'ECONNRESET' || e.message === 'aborted')
    return new ApiError(
      400,
      'UPLOAD_ABORTED',
      'upload aborted: the connection closed before the file arrived',
    );
  return e;
}

/** A limit the file broke, named with the file as every import error is. */
function namingFile(e: unknown, name: string | undefined): unknown {
  if (!(e instanceof ApiError) || name === undefined) return e;
  if (e.code !== 'UPLOAD_TOO_MANY_COLUMNS' && e.code !== 'UPLOAD_CELL_TOO_LONG') return e;
  return new ApiError(e.status, e.code, `${name}: ${e.message}`, e.details);
}

/** The engine's advice names the CLI's flags; the API's parameters are the query's. */
function inApiWords(e: unknown): unknown {
  if (!isTidyvaultError(e)) return e;
  const message = e.message
    .replace('(pass --ragged extend', '(upload again with ?ragged=extend')
    .replace(
      / was a guess: --delimiter names another$/,
      ' was a guess: upload again with ?delimiter= naming another',
    )
    .replace(/ or pass --format$/, ' or upload with ?format=csv (tsv, json, ndjson, parquet, xlsx)')
    .replace(/; choose one with --sheet\)$/, '; upload again with ?sheet= naming one)')
    .replace('a sheet (--sheet) is chosen', 'a sheet (?sheet=) is chosen')
    .replace(/^--(delimiter|encoding|header|no-header) applies/, (_m, flag: string) =>
      flag === 'no-header' ? '?header=false applies' : `?${flag}= applies`,
    );
  // How the query asks for the file to be read does not fit it: the query's parameter is named.
  if (e.code === 'USAGE')
    return new ApiError(400, 'BAD_REQUEST', message, { field: e.location.field ?? 'file' });
  return message === e.message ? e : new TidyvaultError(e.code, message, e.location);
}

const tooLarge = (max: number) =>
  new ApiError(413, 'UPLOAD_TOO_LARGE', `the upload is larger than this server's limit of ${max} bytes`);

/**
 * POST /api/datasets: the file streams into a 0700 RAM-backed staging folder the engine may read
 * (never os.tmpdir()), is loaded into DuckDB, and the staging file is unlinked whatever happens.
 */
export function uploadRoute(
  app: ZodApp,
  o: {
    engine: NodeEngine;
    memory: EngineMemory;
    store: DatasetStore;
    maxUploadBytes: number;
    slots: UploadSlots;
    admission: AdmissionOptions;
    limits: UploadLimits;
    /** The body must bring at least `minBytes` in every `windowMs` while it arrives, else 408. */
    pace: { windowMs: number; minBytes: number };
  },
): void {
  app.post(
    '/api/datasets',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Upload a file (multipart, one part named "file") and load it into memory',
        description:
          'The format comes from the file name; CSV encoding, delimiter and header are sniffed unless given in the query.',
        consumes: ['multipart/form-data'],
        querystring: uploadQuery,
        response: {
          201: uploadResult,
          400: errorSchema,
          408: errorSchema,
          413: errorSchema,
          429: errorSchema,
          507: errorSchema,
        },
      },
      onRequest: async (request) => {
        const declared = Number(request.headers['content-length']);
        if (Number.isFinite(declared) && declared > o.maxUploadBytes + ENVELOPE_BYTES) {
          throw tooLarge(o.maxUploadBytes);
        }
        if (Number.isFinite(declared)) admit(o.admission, request.session!.user, declared - ENVELOPE_BYTES);
      },
    },
    async (request, reply) => {
      const release = o.slots.take(request.session!.user, 'uploads', reply);
      const started = performance.now();
      const staged = o.engine.staging.file('.upload');
      let out: fs.WriteStream | undefined;
      // A body that trickles (a few bytes now and then, before the file part or in it) would hold
      // its slot for the whole request timeout: too slow a pace ends it.
      let part: MultipartFile | undefined;
      let tooSlow!: (e: ApiError) => void;
      const slow = new Promise<never>((_, reject) => (tooSlow = reject));
      slow.catch(() => undefined);
      const pace = new PaceWatch(o.pace, () => {
        const e = new ApiError(
          408,
          'UPLOAD_TOO_SLOW',
          `the upload sent less than ${o.pace.minBytes} bytes in ${o.pace.windowMs >= 1000 ? `${Math.round(o.pace.windowMs / 1000)} s` : `${o.pace.windowMs} ms`}; it was stopped`,
        );
        part?.file.destroy(e);
        tooSlow(e);
      });
      const count = (chunk: Buffer) => pace.add(chunk.length);
      try {
        if (!request.isMultipart())
          throw new ApiError(
            400,
            'UPLOAD_MALFORMED',
            'send the file as multipart/form-data, in a part named "file"',
          );
        const fileParts = request.files({
          limits: {
            fileSize: o.maxUploadBytes,
            files: 1,
            fields: MAX_FORM_FIELDS,
            parts: MAX_FORM_FIELDS + 1,
            fieldSize: 1024,
          },
          throwFileSizeLimit: true,
        });
        const files = fileParts[Symbol.asyncIterator]();
        const file = files.next().then((r) => (r.done ? undefined : r.value));
        file.catch(() => undefined);
        // Only now: the body is piped to the multipart parser, so no chunk flows before it listens.
        request.raw.on('data', count);
        const got = await Promise.race([file, slow]);
        part = got;
        if (!got || got.fieldname !== 'file')
          throw new ApiError(400, 'UPLOAD_MISSING_FILE', 'send the file as a multipart part named "file"');
        const name = cleanName(got.filename);
        // How to read the file, where the query says (the rest is sniffed).
        const { delimiter, encoding, header, sheet, ragged } = request.query;
        const format = formatFromName(name, request.query.format);
        const parse: ImportOptions = { format, delimiter, encoding, header, sheet, ragged };
        // A client that disconnects mid-upload must not leave the copy to hang or linger.
        const onClose = () => {
          if (!request.raw.complete) got.file.destroy(new ApiError(400, 'UPLOAD_ABORTED', 'upload aborted'));
        };
        request.raw.once('close', onClose);
        // Past the limit, busboy would read (and drop) the rest of the body before the part ends:
        // stop now, so that the 413 goes out at once and the upload slot is free again.
        got.file.once('limit', () => got.file.destroy(tooLarge(o.maxUploadBytes)));
        // CSV and TSV are checked against the column and cell limits as they arrive.
        const watch =
          format === 'csv' || format === 'tsv' ? new CsvLimitWatch(format, o.limits, parse) : undefined;
        try {
          // Room for several chunks while one is written: with the default 16 KiB, every chunk of the
          // body waited for the write before it (a thread-pool round trip) and the socket stalled.
          out = fs.createWriteStream(staged, {
            flags: 'wx',
            mode: 0o600,
            highWaterMark: STAGING_WRITE_BUFFER,
          });
          if (watch) await pipeline(got.file, watch, out);
          else await pipeline(got.file, out);
        } finally {
          request.raw.off('close', onClose);
        }
        if (got.file.truncated) throw tooLarge(o.maxUploadBytes);
        // A second file part would be dropped unread, the client none the wiser: refused instead.
        // The rest of the body is still paced: a client that stalls after the file part is stopped.
        const rest = await Promise.race([files.next(), slow]).catch((e: unknown) => e);
        const code = (rest as { code?: string }).code;
        if (code === 'FST_FILES_LIMIT' || (rest as { done?: boolean }).done === false)
          throw new ApiError(
            400,
            'UPLOAD_MULTIPLE_FILES',
            'send one file per upload: this request has more than one',
          );
        // Form fields after the file (more than the few read) are ignored, as before.
        if (rest instanceof Error && code !== 'FST_FIELDS_LIMIT' && code !== 'FST_PARTS_LIMIT') throw rest;
        pace.stop();
        const receivedMs = Math.round(performance.now() - started);
        const bytes = fs.statSync(staged).size;
        admit(o.admission, request.session!.user, bytes);
        const { value: data, bytes: tableBytes } = await o.memory.create(() =>
          o.engine.importFile(staged, name, parse),
        );
        const refuse = async (e: unknown): Promise<never> => {
          await o.memory.drop(() => o.engine.drop(data));
          throw e;
        };
        // The client left while the file was loading: nobody will learn the id, keep nothing.
        if (request.raw.socket?.destroyed)
          await refuse(new ApiError(400, 'UPLOAD_ABORTED', 'upload aborted'));
        try {
          admit(o.admission, request.session!.user, tableBytes);
        } catch (e) {
          await refuse(e);
        }
        // Formats the stream watch could not judge: the same limits, before anyone can see it.
        const source =
          format === 'json' || format === 'ndjson'
            ? 'records'
            : parse.header !== false && format !== 'parquet'
              ? 'rows after a header'
              : 'rows';
        if (!watch?.checked) await checkLoaded(o.engine, data, o.limits, source).catch(refuse);
        const entry = o.store.add(request.session!.user, name, data, emptyHistory(), bytes, tableBytes);
        request.log.info(
          {
            op: 'dataset.upload',
            dataset: entry.id,
            bytes,
            tableBytes,
            rows: data.rowCount,
            columns: data.columns.length,
            ms: Math.round(performance.now() - started),
            receivedMs,
          },
          'dataset loaded',
        );
        return reply.code(201).send({ ...summary(o.store, entry), warnings: data.warnings });
      } catch (e) {
        // A refusal before the body has all arrived closes the connection (security/headers.ts).
        if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(o.maxUploadBytes);
        throw namingFile(inApiWords(bodyError(e, request.raw.complete)), part && cleanName(part.filename));
      } finally {
        // A copy refused early (a cell too long) may not have opened its file yet: it opens and
        // closes it after, so unlinking before then would leave the file behind.
        const copy = out;
        if (copy && !copy.closed) await new Promise<void>((done) => copy.once('close', () => done()));
        fs.rmSync(staged, { force: true });
        pace.stop();
        request.raw.off('data', count);
        release();
      }
    },
  );
}
