import { useCallback, useEffect, useMemo, useState } from 'react';
import { BackendError, type Backend } from './api/backend.js';
import type { Column, DatasetSummary, HistoryState, Me, Profile, Step } from './api/types.js';
import { ClusterDialog } from './dialogs/ClusterDialog.js';
import { ColumnMenu } from './dialogs/ColumnMenu.js';
import { DuplicatesDialog } from './dialogs/DuplicatesDialog.js';
import { AuditDialog } from './dialogs/AuditDialog.js';
import { ExportDialog } from './dialogs/ExportDialog.js';
import { OpenFile } from './dialogs/OpenFile.js';
import { SignOutDialog } from './dialogs/SignOutDialog.js';
import { ShareDialog } from './dialogs/ShareDialog.js';
import { AdminPanel } from './panels/AdminPanel.js';
import { DatasetList } from './panels/DatasetList.js';
import { SignIn } from './panels/SignIn.js';
import type { HttpBackend } from './api/http-backend.js';
import { errorText } from './errors.js';
import { combinedWhere, type Facet } from './facets/facet-model.js';
import { DataGrid, type GridView } from './grid/DataGrid.js';
import { useGridTheme } from './grid/theme.js';
import { FacetPanel } from './panels/FacetPanel.js';
import { ProtectionPanel } from './panels/ProtectionPanel.js';
import { RecipePanel } from './panels/RecipePanel.js';
import { SuggestionsPanel } from './panels/SuggestionsPanel.js';
import { withScope } from './steps/scope.js';
import { useShortcuts } from './use-shortcuts.js';
import { plural } from './format.js';

type Dialog =
  | { kind: 'column'; column: string; x: number; y: number }
  | { kind: 'cluster'; column?: string }
  | { kind: 'export' }
  | { kind: 'duplicates' }
  | { kind: 'audit' }
  | { kind: 'share' }
  | { kind: 'sign-out' }
  | undefined;

export interface Backends {
  /** The Tidyvault server this page came from (absent in the static local-only build). */
  server?: HttpBackend;
  /** This browser tab: DuckDB-WASM, nothing leaves the device. */
  device: Backend;
}

export function App({ backends }: { backends: Backends }) {
  // undefined: no server at all (local-only build); null: a server, but not signed in.
  const [me, setMe] = useState<Me | null | undefined | 'loading'>(backends.server ? 'loading' : undefined);
  const [target, setTarget] = useState<'server' | 'device'>(backends.server ? 'server' : 'device');
  const backend = (target === 'server' ? backends.server : undefined) ?? backends.device;
  const [dataset, setDataset] = useState<DatasetSummary>();
  const [history, setHistory] = useState<HistoryState>();
  const [viewStep, setViewStep] = useState<number>();
  /** total null: the rows are still being counted. */
  const [shape, setShape] = useState<{ total: number | null; columns: Column[] }>({ total: 0, columns: [] });
  const [profile, setProfile] = useState<Profile>();
  /** The dataset and recipe the profile was made for (it stays a while after a change). */
  const [profileOf, setProfileOf] = useState<string>();
  const [facets, setFacets] = useState<Facet[]>([]);
  const [dialog, setDialog] = useState<Dialog>();
  const [error, setError] = useState<string>();
  /** What the import had to say about the file just opened (padded rows, encoding), until dismissed. */
  const [warnings, setWarnings] = useState<string[]>([]);
  const [busy, setBusy] = useState<string>();
  const [jump, setJump] = useState<{ row: number; n: number }>();
  /** Why the last "Go to row" went nowhere (not a row number, or past the last row). */
  const [jumpProblem, setJumpProblem] = useState<string>();
  const [sharesChanged, setSharesChanged] = useState(0);
  // A dataset shared with this person to view only: every step control is off, and this says why.
  const readOnly =
    dataset?.access === 'viewer'
      ? `Shared with you by ${dataset.owner ?? 'its owner'} to view only: you can look, facet and export, but not change the recipe.`
      : undefined;
  // Looking at an earlier step: the profile, suggestions and facets are the latest step's, and a
  // step would be added after the last one, so the step controls wait for "Back to the latest".
  const viewing =
    viewStep !== undefined
      ? `You are looking at the rows as after step ${viewStep}: go back to the latest step (in the recipe panel) to add steps; the profile and suggestions are the latest step's.`
      : undefined;
  const theme = useGridTheme();
  const reportError = useCallback((e: unknown) => setError(errorText(e)), []);
  // A step removed or renamed a column a facet filters on: drop that facet rather than fail.
  const gridError = useCallback(
    (e: unknown) => {
      const column = e instanceof BackendError && e.code === 'RECIPE_COLUMN' ? e.column : undefined;
      if (column !== undefined && facets.some((f) => f.column === column)) {
        setFacets((fs) => fs.filter((f) => f.column !== column));
        setError(`The facet on "${column}" was removed: that column no longer exists.`);
        return;
      }
      setError(errorText(e));
    },
    [facets],
  );

  useEffect(() => {
    if (!backends.server) return;
    backends.server.me().then(
      (m) => {
        setMe(m);
        if (!m) setTarget('device');
      },
      (e: unknown) => {
        setMe(null);
        setTarget('device');
        setError(errorText(e));
      },
    );
  }, [backends.server]);

  const id = dataset?.id;
  // What the grid and the profile follow: the recipe itself (an undone replacement can bring
  // back a recipe of the same length, so the step count would not do).
  const recipeVersion = useMemo(() => recipeKey(history?.recipe.steps ?? []), [history?.recipe.steps]);
  const filter = useMemo(() => combinedWhere(facets), [facets]);
  const whereKey = filter ? JSON.stringify(filter) : '';

  const view = useMemo<GridView | undefined>(() => {
    if (!id) return undefined;
    const step = viewStep;
    return {
      key: `${id}:${recipeVersion}:${step ?? ''}:${whereKey}`,
      fetchPage: (offset, limit) => backend.rows(id, offset, limit, step, filter),
    };
  }, [backend, id, recipeVersion, viewStep, whereKey, filter]);

  // The profile follows the current recipe (not a past step being looked at). It is asked for
  // once the grid has its first rows of that recipe: the rows are what the person waits for.
  const [rowsReadyAt, setRowsReadyAt] = useState<string>();
  const profileKey = id ? `${id}:${recipeVersion}` : undefined;
  const profileDue = profileKey !== undefined && rowsReadyAt === profileKey;
  useEffect(() => {
    if (!id || !profileDue) return;
    let live = true;
    setProfile(undefined);
    setProfileOf(undefined);
    backend.profile(id).then(
      (p) => {
        if (!live) return;
        setProfile(p);
        setProfileOf(profileKey);
      },
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [backend, id, recipeVersion, profileDue, profileKey]);
  const profileIsCurrent = profile !== undefined && profileOf === profileKey;

  const profileByName = useMemo(
    () =>
      profile ? { rows: profile.rows, byName: new Map(profile.columns.map((c) => [c.name, c])) } : undefined,
    [profile],
  );

  // A conversion makes the values it cannot read empty: once the new profile is in, say how many.
  const [converted, setConverted] = useState<{
    what: string;
    /** Per column: cells already empty or blank before the step. */
    nullsBefore: Map<string, number>;
    /** The recipe the counts before were taken at: they are compared with the next one's profile. */
    at: string;
  }>();
  const [stepNotice, setStepNotice] = useState<string>();
  /** Runs a recipe change; a failure is reported by `report` (the banner unless told otherwise). */
  const change = useCallback(
    async (label: string, f: () => Promise<HistoryState>, report?: (message: string) => void) => {
      setBusy(label);
      setError(undefined);
      setStepNotice(undefined);
      try {
        const h = await f();
        setHistory(h);
        setViewStep(undefined);
        return true;
      } catch (e) {
        (report ?? setError)(errorText(e));
        return false;
      } finally {
        setBusy(undefined);
      }
    },
    [],
  );

  const addStep = useCallback(
    (step: Step, report?: (message: string) => void) => {
      if (readOnly || viewing) {
        (report ?? setError)((readOnly ?? viewing)!);
        return Promise.resolve(false);
      }
      setStepNotice(undefined);
      const what = CONVERSIONS[step.op];
      const columns = (step as { columns?: string[] }).columns;
      const markers = ((step as { nullValues?: string[] }).nullValues ?? []).length > 0;
      if (what && columns && profile && profileIsCurrent && profileKey)
        setConverted({
          what: markers ? `${what} (or are null markers the step lists)` : what,
          at: profileKey,
          nullsBefore: new Map(
            // Blank cells (empty or whitespace) become empty too, as expected: not counted as unreadable.
            profile.columns.filter((c) => columns.includes(c.name)).map((c) => [c.name, c.nulls + c.blanks]),
          ),
        });
      if (!id) return Promise.resolve(false);
      return change('applying the step', () => backend.addStep(id, step), report).then((ok) => {
        if (!ok) setConverted(undefined);
        return ok;
      });
    },
    [backend, change, id, readOnly, viewing, profile, profileIsCurrent, profileKey],
  );
  useEffect(() => {
    if (!converted || !profile || !profileIsCurrent || profileKey === converted.at) return;
    const lost = profile.columns
      .map((c) => ({ name: c.name, n: c.nulls - (converted.nullsBefore.get(c.name) ?? c.nulls) }))
      .filter((x) => x.n > 0);
    setConverted(undefined);
    if (lost.length > 0)
      setStepNotice(
        lost
          .map((x) => `${x.n.toLocaleString('en')} value${x.n === 1 ? '' : 's'} of "${x.name}"`)
          .join(', ') + ` could not be read as ${converted.what} and are now empty (Undo brings them back).`,
      );
  }, [profile, converted, profileIsCurrent, profileKey]);
  const undo = useCallback(() => {
    if (id && history?.canUndo && !readOnly) void change('undoing', () => backend.undo(id));
  }, [backend, change, history, id, readOnly]);
  const redo = useCallback(() => {
    if (id && history?.canRedo && !readOnly) void change('redoing', () => backend.redo(id));
  }, [backend, change, history, id, readOnly]);
  useShortcuts({ undo, redo });

  const opened = async (d: DatasetSummary, on: 'server' | 'device' = target) => {
    setTarget(on);
    const backend = (on === 'server' ? backends.server : undefined) ?? backends.device;
    setDataset(d);
    setWarnings(d.warnings ?? []);
    setFacets([]);
    setViewStep(undefined);
    setError(undefined);
    setStepNotice(undefined);
    setConverted(undefined);
    try {
      const detail = await backend.dataset(d.id);
      setHistory(detail.history);
      // The server's word on whose it is and what this person may do with it.
      if (detail.access) setDataset({ ...d, owner: detail.owner, access: detail.access });
    } catch (e) {
      setError(errorText(e));
    }
  };

  const closed = () => {
    setDataset(undefined);
    setHistory(undefined);
    setProfile(undefined);
    setFacets([]);
    setWarnings([]);
    setStepNotice(undefined);
    setConverted(undefined);
    setShape({ total: 0, columns: [] });
  };

  if (me === 'loading') return <main className="center">Loading…</main>;

  if (!dataset || !history || !view)
    return (
      <main className="center">
        <h1>Tidyvault</h1>
        {backends.server && me === null && (
          <SignIn
            server={backends.server}
            onSignedIn={(m) => {
              setMe(m);
              setTarget('server');
            }}
          />
        )}
        <OpenFile
          key={me ? 'signed-in' : 'signed-out'}
          backends={backends}
          signedIn={me !== null && me !== undefined}
          onOpened={(d, on) => void opened(d, on)}
        />
        {backends.server && me && (
          <DatasetList
            backend={backends.server}
            onOpen={(d) => void opened(d, 'server')}
            onError={reportError}
          />
        )}
        {backends.server && me && me.role === 'admin' && (
          <AdminPanel server={backends.server} me={me.user} onOpen={(d) => void opened(d, 'server')} />
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </main>
    );

  const columns = shape.columns;
  return (
    <div className="workbench">
      <header className="topbar">
        <strong className="brand">Tidyvault</strong>
        <span className="dataset-name" title={dataset.name}>
          {dataset.name}
        </span>
        <span className="muted" data-testid="shape">
          {shape.total === null ? 'counting rows…' : plural(shape.total, 'row')} ×{' '}
          {plural(columns.length, 'column')}
          {filter ? ' (filtered by facets)' : ''}
          {viewStep !== undefined ? ` — as after step ${viewStep}` : ''}
        </span>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            const text = String(new FormData(e.currentTarget).get('row') ?? '').trim();
            const v = Number(text);
            const total = shape.total;
            if (total === null) setJumpProblem('the rows are still being counted: try again in a moment');
            else if (!/^\d+$/.test(text) || v < 1)
              setJumpProblem(`give a row number from 1 to ${total.toLocaleString('en')}`);
            else if (v > total)
              setJumpProblem(`there ${total === 1 ? 'is 1 row' : `are ${total.toLocaleString('en')} rows`}`);
            else {
              setJumpProblem(undefined);
              setJump({ row: v - 1, n: (jump?.n ?? 0) + 1 });
            }
          }}
        >
          <label className="inline">
            Go to row
            <input
              name="row"
              className="narrow"
              inputMode="numeric"
              aria-label="Go to row"
              data-testid="go-to-row"
              aria-invalid={jumpProblem !== undefined}
              {...(jumpProblem !== undefined ? { 'aria-describedby': 'go-to-row-problem' } : {})}
              onChange={() => setJumpProblem(undefined)}
            />
          </label>
          {jumpProblem !== undefined && (
            <span id="go-to-row-problem" className="error small" role="alert" data-testid="go-to-row-problem">
              {jumpProblem}
            </span>
          )}
        </form>
        <span className="spacer" />
        {busy && (
          <span className="busy" role="status">
            {busy}…
          </span>
        )}
        <button onClick={undo} disabled={!!readOnly || !history.canUndo} title="Undo (Ctrl/Cmd+Z)">
          Undo
        </button>
        <button onClick={redo} disabled={!!readOnly || !history.canRedo} title="Redo (Shift+Ctrl/Cmd+Z)">
          Redo
        </button>
        <select
          aria-label="Open a column's menu"
          data-testid="column-picker"
          value=""
          onChange={(e) =>
            e.target.value && setDialog({ kind: 'column', column: e.target.value, x: 320, y: 60 })
          }
          onKeyDown={(e) => {
            // A closed select changes its value on an arrow key, which would open the first
            // column's menu at once: the arrows open the list instead, to choose from.
            if (!['ArrowDown', 'ArrowUp', 'PageDown', 'PageUp', 'Home', 'End'].includes(e.key) || e.altKey)
              return;
            e.preventDefault();
            try {
              e.currentTarget.showPicker();
            } catch {
              // No picker (an old browser, or no user activation): Alt+ArrowDown still opens it.
            }
          }}
        >
          <option value="">Column…</option>
          {columns.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
        <button onClick={() => setDialog({ kind: 'cluster' })}>Cluster…</button>
        <button onClick={() => setDialog({ kind: 'duplicates' })}>Duplicates…</button>
        <button onClick={() => setDialog({ kind: 'export' })}>Export…</button>
        {target === 'server' && me && backends.server && (
          <button onClick={() => setDialog({ kind: 'audit' })}>Activity…</button>
        )}
        {target === 'server' && (
          <button
            onClick={closed}
            title="Back to the Open screen: this dataset stays on the server, in the list there"
          >
            Open another…
          </button>
        )}
        {target === 'server' && me && me.role !== undefined && backends.server && (
          <button className="link" onClick={() => setDialog({ kind: 'sign-out' })}>
            Sign out {me.user}…
          </button>
        )}
      </header>
      <div className="banners">
        {error && (
          <Banner kind="error" testId="error" onDismiss={() => setError(undefined)}>
            {error}
          </Banner>
        )}
        {warnings.length > 0 && (
          <div className="notice banner" role="status" data-testid="import-warnings">
            <ul className="warning-list">
              {warnings.map((w, i) => (
                <li key={i}>
                  Warning: {dataset.name}: {w}
                </li>
              ))}
            </ul>
            <button className="link" onClick={() => setWarnings([])} aria-label="Dismiss the warnings">
              ×
            </button>
          </div>
        )}
        {stepNotice && (
          <Banner kind="notice" testId="step-notice" onDismiss={() => setStepNotice(undefined)}>
            {stepNotice}
          </Banner>
        )}
        {readOnly && (
          <div className="notice banner" data-testid="read-only-banner">
            {readOnly}
          </div>
        )}
        {!readOnly && viewing && (
          <div className="notice banner" data-testid="viewing-step-banner">
            {viewing}
          </div>
        )}
      </div>
      <aside className="left">
        {!readOnly && !viewing && <SuggestionsPanel profile={profile} onApply={(s) => addStep(s)} />}
        <FacetPanel
          backend={backend}
          datasetId={dataset.id}
          viewKey={rowsReadyAt ?? ''}
          facets={facets}
          onChange={setFacets}
          onStep={(s) => addStep(s)}
          onError={gridError}
          readOnly={!!readOnly || !!viewing}
        />
      </aside>
      <section className="main">
        <DataGrid
          view={view}
          profile={viewing ? undefined : profileByName}
          theme={theme}
          onShape={(total, cols) => {
            setShape({ total, columns: cols });
            setRowsReadyAt(`${dataset.id}:${recipeVersion}`);
          }}
          onHeader={(column, b) => setDialog({ kind: 'column', column, x: b.x, y: b.y + b.height })}
          onError={gridError}
          jump={jump}
        />
      </section>
      <aside className="right">
        <RecipePanel
          history={history}
          viewStep={viewStep}
          onView={setViewStep}
          onRemove={(index) =>
            change('removing the step', () =>
              backend.replaceRecipe(dataset.id, {
                version: 1,
                steps: history.recipe.steps.filter((_, i) => i !== index),
              }),
            )
          }
          onUndo={undo}
          onRedo={redo}
          onLoad={(recipe) =>
            void change('applying the recipe', () => backend.replaceRecipe(dataset.id, recipe as never))
          }
          onError={reportError}
          {...(readOnly ? { readOnly } : {})}
        />
        <ProtectionPanel
          backend={backend}
          datasetId={dataset.id}
          onDeleted={closed}
          onError={reportError}
          onShare={
            target === 'server' && me && backends.server && dataset.access === 'owner'
              ? () => setDialog({ kind: 'share' })
              : undefined
          }
          canDelete={(dataset.access ?? 'owner') === 'owner'}
          refresh={sharesChanged}
        />
      </aside>
      {dialog?.kind === 'column' && (
        <ColumnMenu
          backend={backend}
          datasetId={dataset.id}
          column={dialog.column}
          columns={columns}
          x={dialog.x}
          y={dialog.y}
          profile={profileByName?.byName.get(dialog.column)}
          onClose={() => setDialog(undefined)}
          onStep={async (s) => {
            let problem: string | undefined;
            // Shown in the form, next to what caused it.
            if (await addStep(withScope(s, filter), (m) => (problem = m))) setDialog(undefined);
            return problem;
          }}
          onFacet={(f) => {
            setFacets((fs) => [...fs.filter((x) => !(x.column === f.column && x.kind === f.kind)), f]);
            setDialog(undefined);
          }}
          onCluster={() => setDialog({ kind: 'cluster', column: dialog.column })}
          {...(filter ? { scopedRows: shape.total, where: filter } : {})}
          {...(readOnly ? { readOnly } : {})}
        />
      )}
      {dialog?.kind === 'share' && backends.server && (
        <ShareDialog
          server={backends.server}
          datasetId={dataset.id}
          onClose={() => setDialog(undefined)}
          onChanged={() => setSharesChanged((n) => n + 1)}
        />
      )}
      {dialog?.kind === 'cluster' && (
        <ClusterDialog
          backend={backend}
          datasetId={dataset.id}
          columns={columns.filter((c) => c.type === 'text').map((c) => c.name)}
          initialColumn={dialog.column}
          onStep={addStep}
          onClose={() => setDialog(undefined)}
          {...(readOnly ? { readOnly } : {})}
        />
      )}
      {dialog?.kind === 'sign-out' && backends.server && me && (
        <SignOutDialog
          user={me.user}
          signInMode={backends.server!.mode}
          onClose={() => setDialog(undefined)}
          onSignOut={(purge) =>
            backends.server!.logout(purge).then(({ endSessionUrl }) => {
              setDialog(undefined);
              closed();
              setMe(null);
              setTarget('device');
              // Single sign-on: the provider ends its own session too (it may ask first).
              if (endSessionUrl) window.location.assign(endSessionUrl);
            }, reportError)
          }
        />
      )}
      {dialog?.kind === 'audit' && backends.server && (
        <AuditDialog server={backends.server} onClose={() => setDialog(undefined)} />
      )}
      {dialog?.kind === 'duplicates' && (
        <DuplicatesDialog
          backend={backend}
          datasetId={dataset.id}
          columns={columns.filter((c) => c.type === 'text').map((c) => c.name)}
          onStep={addStep}
          onClose={() => setDialog(undefined)}
          {...(readOnly ? { readOnly } : {})}
        />
      )}
      {dialog?.kind === 'export' && (
        <ExportDialog
          backend={backend}
          datasetId={dataset.id}
          name={dataset.name}
          recipe={history.recipe}
          inputColumns={dataset.columns}
          filtered={filter !== undefined}
          {...(viewStep !== undefined ? { viewStep } : {})}
          {...(profile && profileIsCurrent && !viewing ? { output: exportedShape(profile) } : {})}
          {...(target === 'server' && backends.server ? { server: backends.server } : {})}
          onClose={() => setDialog(undefined)}
        />
      )}
    </div>
  );
}

/** A short key for a recipe's steps (FNV-1a of their JSON). */
function recipeKey(steps: readonly unknown[]): string {
  const text = JSON.stringify(steps);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return `${steps.length}-${(h >>> 0).toString(36)}`;
}

/** The output's size and its longest text value, from the profile of the current recipe. */
function exportedShape(p: Profile) {
  const longest = p.columns.reduce<{ column: string; length: number } | undefined>(
    (best, c) =>
      c.maxLength !== null && c.maxLength > (best?.length ?? 0)
        ? { column: c.name, length: c.maxLength }
        : best,
    undefined,
  );
  return { rows: p.rows, columns: p.columns.length, ...(longest ? { longest } : {}) };
}

/** Steps that turn text into another type, and what they read it as. */
const CONVERSIONS: Record<string, string> = {
  'to-number': 'numbers',
  'to-integer': 'whole numbers',
  'to-date': 'dates',
};

/** A message above the grid until dismissed: an error (alert) or a notice (status). */
function Banner({
  kind,
  testId,
  onDismiss,
  children,
}: {
  kind: 'error' | 'notice';
  testId: string;
  onDismiss: () => void;
  children: React.ReactNode;
}) {
  return (
    <div className={`${kind} banner`} role={kind === 'error' ? 'alert' : 'status'} data-testid={testId}>
      {children}
      <button className="link" onClick={onDismiss} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
