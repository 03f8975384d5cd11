import { useEffect, useRef, useState } from 'react';
import { BackendError, type Backend, type Upload, type UploadOptions } from '../api/backend.js';
import type { Backends } from '../App.js';
import type { DatasetSummary } from '../api/types.js';
import { openErrorText } from '../errors.js';
import { DatabaseImport } from './DatabaseImport.js';
import { formatBytes } from '../format.js';

const ACCEPT = '.csv,.tsv,.txt,.json,.ndjson,.jsonl,.parquet,.xlsx';

interface Props {
  backends: Backends;
  /** Signed in to the server (only then can a file go there). */
  signedIn: boolean;
  onOpened: (d: DatasetSummary, on: 'server' | 'device') => void;
}

/** Drop or pick a file; upload with progress and cancel; parse options when sniffing is unsure. */
export function OpenFile({ backends, signedIn, onOpened }: Props) {
  const serverOk = backends.server !== undefined && signedIn;
  const [on, setOn] = useState<'server' | 'device'>(serverOk ? 'server' : 'device');
  const backend = (on === 'server' && serverOk ? backends.server : undefined) ?? backends.device;
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File>();
  const [progress, setProgress] = useState<{ sent: number; total: number }>();
  const [upload, setUpload] = useState<Upload>();
  const [error, setError] = useState<string>();
  const [options, setOptions] = useState<UploadOptions>({});
  const [showOptions, setShowOptions] = useState(false);
  const [dragging, setDragging] = useState(false);
  // Local mode: DuckDB-WASM starts while the person picks a file, not after.
  useEffect(() => (backend as Backend).prepare?.(), [backend]);

  const start = async (f: File, o: UploadOptions) => {
    setFile(f);
    setError(undefined);
    setProgress({ sent: 0, total: f.size });
    const u = backend.upload(f, o, (sent, total) => setProgress({ sent, total }));
    setUpload(u);
    try {
      const d = await u.done;
      onOpened(d, backend === backends.device ? 'device' : 'server');
    } catch (e) {
      setError(openErrorText(e, f.name));
      // A file the sniffer could not read (or with ragged rows): let the person say how it is
      // laid out. No option makes a file fit that is too big for the tab.
      setShowOptions(!(e instanceof BackendError && e.code === 'TOO_BIG_FOR_BROWSER'));
    } finally {
      setUpload(undefined);
      setProgress(undefined);
    }
  };

  const pick = (files: FileList | null) => {
    const f = files?.[0];
    if (f) void start(f, options);
  };
  const sheet = file?.name.toLowerCase().endsWith('.xlsx');

  return (
    <section className="open-file" aria-labelledby="open-title">
      <h2 id="open-title">Open a file</h2>
      <fieldset className="where-choice" data-testid="where-choice">
        <legend>Where should it be cleaned?</legend>
        <label className="check">
          <input type="radio" name="where" checked={on === 'device'} onChange={() => setOn('device')} /> On
          this device — the file never leaves this computer; it lives in this browser tab until you close it.
        </label>
        <label className="check">
          <input
            type="radio"
            name="where"
            disabled={!serverOk}
            checked={on === 'server'}
            onChange={() => setOn('server')}
          />{' '}
          On the server —{' '}
          {serverOk
            ? 'sent to this Tidyvault server, held in its memory only, deleted when you delete it or it expires.'
            : backends.server
              ? 'sign in to this server first (with your account, or the login link that tidyvault serve printed).'
              : 'this copy of Tidyvault runs without a server.'}
        </label>
      </fieldset>
      <p className="muted">CSV, TSV, JSON, NDJSON, Parquet or Excel (.xlsx).</p>
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          pick(e.dataTransfer.files);
        }}
      >
        {progress ? (
          <div className="progress" role="status">
            <span>
              {backend === backends.device ? 'Reading' : 'Uploading'} {file?.name}:{' '}
              {formatBytes(progress.sent)} of {formatBytes(progress.total)}
              {progress.sent >= progress.total ? ' — loading into memory…' : ''}
            </span>
            <progress max={progress.total || 1} value={progress.sent} />
            <button onClick={() => upload?.cancel()}>Cancel</button>
          </div>
        ) : (
          <>
            <p>Drop a file here, or</p>
            <button className="primary" onClick={() => input.current?.click()}>
              Choose a file…
            </button>
            <input
              ref={input}
              type="file"
              accept={ACCEPT}
              hidden
              data-testid="file-input"
              onChange={(e) => {
                pick(e.target.files);
                e.target.value = '';
              }}
            />
          </>
        )}
      </div>
      {error && (
        <p className="error" role="alert" data-testid="upload-error">
          {error}
        </p>
      )}
      <details open={showOptions} onToggle={(e) => setShowOptions((e.target as HTMLDetailsElement).open)}>
        <summary>How the file is read (optional)</summary>
        <div className="options">
          <label>
            Delimiter
            <select
              value={options.delimiter ?? ''}
              onChange={(e) => setOptions({ ...options, delimiter: e.target.value || undefined })}
            >
              <option value="">detect</option>
              <option value=",">comma ,</option>
              <option value=";">semicolon ;</option>
              <option value={'\t'}>tab</option>
              <option value="|">pipe |</option>
            </select>
          </label>
          <label>
            Encoding
            <select
              value={options.encoding ?? ''}
              onChange={(e) => setOptions({ ...options, encoding: e.target.value || undefined })}
            >
              <option value="">detect</option>
              <option value="utf-8">UTF-8</option>
              <option value="windows-1252">Windows-1252 (Western)</option>
              <option value="utf-16le">UTF-16 LE</option>
              <option value="utf-16be">UTF-16 BE</option>
            </select>
          </label>
          <label>
            Header row
            <select
              value={options.header === undefined ? '' : String(options.header)}
              onChange={(e) =>
                setOptions({
                  ...options,
                  header: e.target.value === '' ? undefined : e.target.value === 'true',
                })
              }
            >
              <option value="">detect</option>
              <option value="true">the first row names the columns</option>
              <option value="false">no header row</option>
            </select>
          </label>
          <label>
            Rows with more fields than the header
            <select
              value={options.ragged ?? ''}
              onChange={(e) =>
                setOptions({ ...options, ragged: e.target.value === 'extend' ? 'extend' : undefined })
              }
            >
              <option value="">refuse</option>
              <option value="extend">add columns</option>
            </select>
          </label>
          <label>
            Sheet (Excel)
            <input
              value={options.sheet ?? ''}
              placeholder={sheet ? 'the first sheet' : ''}
              onChange={(e) => setOptions({ ...options, sheet: e.target.value || undefined })}
            />
          </label>
          {file && !progress && (
            <button onClick={() => void start(file, options)}>
              Read {file.name} again with these options
            </button>
          )}
        </div>
      </details>
      {on === 'server' && serverOk && backends.server && (
        <DatabaseImport server={backends.server} onOpened={(d) => onOpened(d, 'server')} />
      )}
    </section>
  );
}
