import { useEffect, useRef, useState } from 'react';
import { clusterKeyTablesNote, recipeSql } from '@tidyvault/core';
import type { Backend } from '../api/backend.js';
import type { Column, Recipe } from '../api/types.js';
import { carriesValues } from '../steps/describe.js';
import { errorText } from '../errors.js';
import type { HttpBackend } from '../api/http-backend.js';
import { DatabaseExport } from './DatabaseExport.js';
import { xlsxProblem, type ExportedShape } from './export-limits.js';
import { Modal } from './Modal.js';

const FORMATS: [string, string][] = [
  ['csv', 'CSV'],
  ['tsv', 'TSV'],
  ['xlsx', 'Excel (.xlsx)'],
  ['json', 'JSON (array)'],
  ['ndjson', 'NDJSON'],
  ['parquet', 'Parquet'],
];

interface Props {
  backend: Backend;
  datasetId: string;
  name: string;
  recipe: Recipe;
  /** The columns of the file as uploaded: the SQL's input table. */
  inputColumns: Column[];
  /** The dataset is on this server: it can also go to a database connection of the user's. */
  server?: HttpBackend;
  /** Facets select some rows: the export still holds every row of the recipe's output. */
  filtered?: boolean;
  /** The grid shows the rows as after this earlier step: the export is of the whole recipe. */
  viewStep?: number;
  /** The recipe's output as the grid and profile know it, to say before a download what a format cannot hold. */
  output?: ExportedShape;
  onClose: () => void;
}

function download(href: string, filename: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function ExportDialog({
  backend,
  datasetId,
  name,
  recipe,
  inputColumns,
  server,
  filtered,
  viewStep,
  output,
  onClose,
}: Props) {
  const [format, setFormat] = useState('csv');
  const [guard, setGuard] = useState(true);
  const [showSql, setShowSql] = useState(false);
  const [error, setError] = useState<string>();
  const [preparing, setPreparing] = useState(false);
  // Closing the dialog stops the export it waits for: no download starts after it is gone.
  const pending = useRef<AbortController>(undefined);
  useEffect(() => () => pending.current?.abort(), []);
  const base = name.replace(/\.[^.]+$/, '');
  const tooBig = format === 'xlsx' && output ? xlsxProblem(output) : undefined;
  const withValues = recipe.steps.some(carriesValues);
  let sql = '';
  try {
    sql = showSql
      ? `-- one DuckDB query over a table named "input"\n${clusterKeyTablesNote(recipe)}${recipeSql(recipe, 'input', inputColumns)};\n`
      : '';
  } catch (e) {
    sql = `-- ${(e as Error).message}`;
  }
  const recipeHref = () =>
    URL.createObjectURL(new Blob([JSON.stringify(recipe, null, 2) + '\n'], { type: 'application/json' }));
  return (
    <Modal title="Export" onClose={onClose} testId="export-dialog">
      <section>
        <h3>The cleaned data</h3>
        {viewStep !== undefined && (
          <p className="notice" data-testid="export-view-step-note">
            You are looking at the rows as after step {viewStep}: the file holds the output of the whole
            recipe ({recipe.steps.length} step{recipe.steps.length === 1 ? '' : 's'}). To export the rows as
            after step {viewStep}, undo the steps after it first.
          </p>
        )}
        {filtered && (
          <p className="notice" data-testid="export-facets-note">
            The facets only narrow what you see: the file holds every row of the recipe&rsquo;s output. To
            export only the rows they select, use &ldquo;Keep these rows&rdquo; in the facet (a step of the
            recipe) first.
          </p>
        )}
        <div className="row wrap">
          <label>
            Format
            <select
              value={format}
              onChange={(e) => {
                setFormat(e.target.value);
                setError(undefined);
              }}
              disabled={preparing}
              data-testid="export-format"
            >
              {FORMATS.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={guard}
              disabled={preparing}
              onChange={(e) => {
                setGuard(e.target.checked);
                setError(undefined);
              }}
            />{' '}
            Formula guard
          </label>
        </div>
        <p className="muted small">
          The formula guard puts an apostrophe before text that starts with = + - @, a tab or a carriage
          return (not before a plain number such as -3), so a spreadsheet shows it instead of running it as a
          formula; in CSV and TSV it also quotes every text value, so a spreadsheet that splits on another
          separator keeps it one cell.
        </p>
        {tooBig && (
          <p className="error" role="alert" data-testid="export-format-problem">
            {tooBig}
          </p>
        )}
        <button
          className="primary"
          disabled={tooBig !== undefined}
          // Not disabled while it is prepared: a disabled button would drop the focus (and Escape).
          aria-busy={preparing}
          data-testid="download"
          onClick={() => {
            if (preparing) return;
            setError(undefined);
            setPreparing(true);
            const asked = new AbortController();
            pending.current = asked;
            void backend
              .exportFile(datasetId, format, guard, asked.signal)
              .then(
                (href) => {
                  if (asked.signal.aborted) {
                    if (href.startsWith('blob:')) URL.revokeObjectURL(href);
                    return;
                  }
                  // The name the server gives it too (Content-Disposition wins over `download`).
                  download(href, `${base}-clean.${format}`);
                  if (href.startsWith('blob:')) setTimeout(() => URL.revokeObjectURL(href), 60_000);
                },
                (e: unknown) => {
                  if (!asked.signal.aborted) setError(errorText(e));
                },
              )
              .finally(() => {
                if (!asked.signal.aborted) setPreparing(false);
              });
          }}
        >
          {preparing ? `Preparing ${base}-clean.${format}…` : `Download ${base}-clean.${format}`}
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </section>
      {server && <DatabaseExport server={server} datasetId={datasetId} />}
      <section>
        <h3>The recipe</h3>
        {withValues && (
          <p className="notice" data-testid="recipe-values-warning">
            This recipe contains values from your data (mass edits or chosen duplicates). Share it only with
            people who may see those values.
          </p>
        )}
        <div className="row">
          <button
            data-testid="download-recipe"
            onClick={() => {
              const href = recipeHref();
              download(href, `${base}.recipe.json`);
              setTimeout(() => URL.revokeObjectURL(href), 1000);
            }}
          >
            Download recipe (JSON)
          </button>
          <button onClick={() => setShowSql(!showSql)}>{showSql ? 'Hide' : 'Show'} the SQL</button>
        </div>
        {showSql && (
          <pre className="sql" data-testid="recipe-sql">
            {sql}
          </pre>
        )}
      </section>
    </Modal>
  );
}
