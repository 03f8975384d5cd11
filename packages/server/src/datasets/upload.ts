import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { emptyHistory } from '@tidyvault/core';
import { formatFromName, type NodeEngine } from '@tidyvault/engine-node';
import type { ZodApp } from '../app-types.js';
import { ApiError, errorSchema } from '../errors.js';
import { uploadResult } from './schemas.js';
import { checkLoaded, CsvLimitWatch, type UploadLimits } from './limits.js';
import type { EngineMemory } from './memory.js';
import type { DatasetStore } from './store.js';
import { summary } from './views.js';

/** Room for the multipart envelope (boundaries, part headers) on top of the file itself. */
const ENVELOPE_BYTES = 64 * 1024;

/** The upload's name as shown back to its owner: no folders, no control characters, bounded. */
export function cleanName(filename: string | undefined): string {
  const base = path.basename((filename ?? '').replaceAll('\\', '/'));
  // eslint-disable-next-line no-control-regex
  const name = base.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255);
  return name === '' ? 'upload.csv' : name;
}

const noRoom = () =>
  new ApiError(
    507,
    'INSUFFICIENT_MEMORY',
    'the server has no room for this dataset now; delete a dataset or try later',
  );

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
    maxConcurrentUploads: number;
    maxResidentBytes: number;
    limits: UploadLimits;
  },
): void {
  let active = 0;
  /** Room for `bytes` more, after dropping materialised recipe states (caches) if need be. */
  const room = (bytes: number): boolean => {
    if (o.store.residentBytes + bytes <= o.maxResidentBytes) return true;
    o.store.dropStates();
    return o.store.residentBytes + bytes <= o.maxResidentBytes;
  };
  app.post(
    '/api/datasets',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Upload a file (multipart, one part named "file") and load it into memory',
        consumes: ['multipart/form-data'],
        response: {
          201: uploadResult,
          400: errorSchema,
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
        if (Number.isFinite(declared) && !room(declared - ENVELOPE_BYTES)) throw noRoom();
      },
    },
    async (request, reply) => {
      if (active >= o.maxConcurrentUploads) {
        reply.header('retry-after', '5');
        throw new ApiError(429, 'TOO_MANY_UPLOADS', 'too many uploads at once; try again shortly');
      }
      active++;
      const started = performance.now();
      const staged = o.engine.staging.file('.upload');
      try {
        const part = await request.file({
          limits: { fileSize: o.maxUploadBytes, files: 1, fields: 5, parts: 6, fieldSize: 1024 },
          throwFileSizeLimit: true,
        });
        if (!part)
          throw new ApiError(400, 'UPLOAD_MISSING_FILE', 'send the file as a multipart part named "file"');
        const name = cleanName(part.filename);
        const format = formatFromName(name);
        // A client that disconnects mid-upload must not leave the copy to hang or linger.
        const onClose = () => {
          if (!request.raw.complete) part.file.destroy(new ApiError(400, 'UPLOAD_ABORTED', 'upload aborted'));
        };
        request.raw.once('close', onClose);
        // CSV and TSV are checked against the column and cell limits as they arrive.
        const watch = format === 'csv' || format === 'tsv' ? new CsvLimitWatch(format, o.limits) : undefined;
        try {
          const out = fs.createWriteStream(staged, { flags: 'wx', mode: 0o600 });
          if (watch) await pipeline(part.file, watch, out);
          else await pipeline(part.file, out);
        } finally {
          request.raw.off('close', onClose);
        }
        if (part.file.truncated) throw tooLarge(o.maxUploadBytes);
        const bytes = fs.statSync(staged).size;
        if (!room(bytes)) throw noRoom();
        const { value: data, bytes: tableBytes } = await o.memory.create(() =>
          o.engine.importFile(staged, name, { format }),
        );
        const refuse = async (e: unknown): Promise<never> => {
          await o.memory.drop(() => o.engine.drop(data));
          throw e;
        };
        // The client left while the file was loading: nobody will learn the id, keep nothing.
        if (request.raw.socket?.destroyed)
          await refuse(new ApiError(400, 'UPLOAD_ABORTED', 'upload aborted'));
        if (!room(tableBytes)) await refuse(noRoom());
        // Formats the stream watch could not judge: the same limits, before anyone can see it.
        if (!watch?.checked) await checkLoaded(o.engine, data, o.limits).catch(refuse);
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
          },
          'dataset loaded',
        );
        return reply.code(201).send({ ...summary(o.store, entry), warnings: data.warnings });
      } catch (e) {
        if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(o.maxUploadBytes);
        throw e;
      } finally {
        fs.rmSync(staged, { force: true });
        active--;
      }
    },
  );
}
