import { BackendError, type Backend, type Upload, type UploadOptions } from './backend.js';
import type {
  AuditEvent,
  ClusterResult,
  DatasetDetail,
  DatasetSummary,
  DbConnection,
  DbExport,
  DuplicatesResult,
  HeldDataset,
  Condition,
  FacetResult,
  Histogram,
  HistogramOf,
  HistoryState,
  Location,
  Me,
  Profile,
  Recipe,
  RowsPage,
  Shares,
  Step,
} from './types.js';

interface ErrorBody {
  error?: { code?: string; message?: string; step?: { index: number; op: string }; column?: string };
}

function toError(status: number, body: unknown): BackendError {
  const e = (body as ErrorBody | null)?.error;
  return new BackendError(
    status,
    e?.code ?? `HTTP_${status}`,
    e?.message ?? `the server answered ${status}`,
    e?.step,
    e?.column,
  );
}

const enc = encodeURIComponent;

/** Tries of a request the server refused for the session's request rate, and the longest wait. */
const RATE_RETRIES = 4;
const MAX_RATE_WAIT_S = 15;

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', stop);
      resolve();
    }
    function stop() {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    }
    signal?.addEventListener('abort', stop, { once: true });
  });
const whereParam = (where?: Condition) => (where ? `&where=${enc(JSON.stringify(where))}` : '');

/** The workbench on `tidyvault serve`: same origin, session cookie, CSRF token on every change. */
export class HttpBackend implements Backend {
  readonly kind = 'server' as const;
  private csrf: { header: string; token: string } | undefined;

  private async request<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrf) headers[this.csrf.header] = this.csrf.token;
    for (let attempt = 1; ; attempt++) {
      const r = await fetch(url, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(signal ? { signal } : {}),
      });
      if (r.status === 204) return undefined as T;
      const text = await r.text();
      let parsed: unknown = null;
      try {
        parsed = text === '' ? null : JSON.parse(text);
      } catch {
        parsed = null;
      }
      if (r.ok) return parsed as T;
      const e = toError(r.status, parsed);
      // The session's request rate (refused before the route ran, so trying again is safe):
      // wait as told, a few times, rather than show an error for a burst of scrolling.
      const wait = Number(r.headers.get('retry-after'));
      if (e.code !== 'TOO_MANY_REQUESTS' || attempt >= RATE_RETRIES || !(wait >= 0) || wait > MAX_RATE_WAIT_S)
        throw e;
      await pause(wait * 1000, signal);
    }
  }

  /** The signed-in person's audit events (and the server's on their datasets), newest first. */
  audit = (before?: number) =>
    this.request<{ events: AuditEvent[]; next: number | null }>(
      'GET',
      `/api/audit?limit=100${before === undefined ? '' : `&before=${before}`}`,
    );

  /** How this server signs people in, and whether a first administrator is still to be made. */
  mode = () =>
    this.request<{ mode: 'single' | 'local' | 'oidc'; setup: boolean; provider?: string }>(
      'GET',
      '/api/auth/mode',
    );

  private signedIn(me: Me): Me {
    this.csrf = { header: me.csrfHeader, token: me.csrfToken };
    return me;
  }

  login = async (username: string, password: string) =>
    this.signedIn(await this.request<Me>('POST', '/api/auth/login', { username, password }));

  setup = async (token: string, username: string, password: string) =>
    this.signedIn(await this.request<Me>('POST', '/api/auth/setup', { token, username, password }));

  /**
   * `purge`: the server also deletes every dataset this user owns (it does unless told not to). A
   * single sign-on session gets back where to end the provider's session too.
   */
  logout = async (purge: boolean): Promise<{ endSessionUrl?: string }> => {
    const r = await this.request<{ endSessionUrl?: string } | undefined>('POST', '/api/auth/logout', {
      purge,
    });
    this.csrf = undefined;
    return r ?? {};
  };

  /** The PostgreSQL connections this user may use (set up with `tidyvault secrets` on the server). */
  connections = async (): Promise<DbConnection[]> =>
    (await this.request<{ connections: DbConnection[] }>('GET', '/api/connections')).connections;

  /** A table (`name` or `schema.name`) or a read-only query, imported as a new dataset. */
  importPostgres = (connection: string, source: { table: string } | { query: string }) =>
    this.request<DatasetSummary>('POST', '/api/datasets/import/postgres', { connection, ...source });

  /** The dataset after its recipe, written to a NEW table (an existing one is refused). */
  exportPostgres = (id: string, connection: string, table: string) =>
    this.request<DbExport>('POST', `/api/datasets/${enc(id)}/export/postgres`, { connection, table });

  /** Administrators: every dataset the server holds (id, owner, size, expiry). */
  heldDatasets = async (): Promise<HeldDataset[]> =>
    (await this.request<{ datasets: HeldDataset[] }>('GET', '/api/admin/datasets')).datasets;

  /** The password again, for what needs a recent proof of identity (break-glass). */
  reauth = (password: string) => this.request<void>('POST', '/api/auth/reauth', { password });

  /** Administrators: view a dataset that is not theirs for 15 minutes; its owner sees it. */
  breakGlass = (id: string, reason: string) =>
    this.request<Shares>('POST', `/api/datasets/${enc(id)}/break-glass`, { reason });

  async me(): Promise<Me | null> {
    try {
      const me = await this.request<Me>('GET', '/api/auth/me');
      this.csrf = { header: me.csrfHeader, token: me.csrfToken };
      return me;
    } catch (e) {
      if (e instanceof BackendError && e.status === 401) return null;
      throw e;
    }
  }

  upload(file: File, o: UploadOptions, onProgress: (sent: number, total: number) => void): Upload {
    const xhr = new XMLHttpRequest();
    const query = new URLSearchParams();
    if (o.delimiter) query.set('delimiter', o.delimiter);
    if (o.encoding) query.set('encoding', o.encoding);
    if (o.header !== undefined) query.set('header', String(o.header));
    if (o.sheet) query.set('sheet', o.sheet);
    if (o.ragged === 'extend') query.set('ragged', 'extend');
    const qs = query.toString();
    const done = new Promise<DatasetSummary>((resolve, reject) => {
      xhr.open('POST', `/api/datasets${qs ? `?${qs}` : ''}`);
      if (this.csrf) xhr.setRequestHeader(this.csrf.header, this.csrf.token);
      xhr.responseType = 'json';
      xhr.upload.onprogress = (ev) => onProgress(ev.loaded, ev.lengthComputable ? ev.total : file.size);
      xhr.onload = () => {
        if (xhr.status === 201) resolve(xhr.response as DatasetSummary);
        else reject(toError(xhr.status, xhr.response));
      };
      xhr.onerror = () => reject(new BackendError(0, 'NETWORK', 'the upload could not reach the server'));
      xhr.onabort = () => reject(new BackendError(0, 'CANCELLED', 'upload cancelled'));
      const form = new FormData();
      form.append('file', file, file.name);
      xhr.send(form);
    });
    return { done, cancel: () => xhr.abort() };
  }

  list = async () => (await this.request<{ datasets: DatasetSummary[] }>('GET', '/api/datasets')).datasets;
  dataset = (id: string) => this.request<DatasetDetail>('GET', `/api/datasets/${enc(id)}`);
  /** Rows come without waiting for their count (total null until counted); limit 0 asks for the count. */
  rows = (id: string, offset: number, limit: number, step?: number, where?: Condition) =>
    this.request<RowsPage>(
      'GET',
      `/api/datasets/${enc(id)}/rows?offset=${offset}&limit=${limit}${step === undefined ? '' : `&step=${step}`}${whereParam(where)}${limit > 0 ? '&total=later' : ''}`,
    );
  profile = (id: string) => this.request<Profile>('GET', `/api/datasets/${enc(id)}/profile`);
  facet = (id: string, column: string, where?: Condition) =>
    this.request<FacetResult>(
      'GET',
      `/api/datasets/${enc(id)}/facet?column=${enc(column)}&limit=1000${whereParam(where)}`,
    );
  histogram = (id: string, column: string, bins: number, where?: Condition, of: HistogramOf = 'value') =>
    this.request<Histogram>(
      'GET',
      `/api/datasets/${enc(id)}/histogram?column=${enc(column)}&bins=${bins}&of=${of}${whereParam(where)}`,
    );
  cluster = (id: string, column: string, method: string, params: Record<string, number>) =>
    this.request<ClusterResult>('POST', `/api/datasets/${enc(id)}/cluster`, { column, method, params });
  duplicates = (id: string, columns: string[], threshold: number) =>
    this.request<DuplicatesResult>('POST', `/api/datasets/${enc(id)}/duplicates`, { columns, threshold });
  addStep = (id: string, step: Step) =>
    this.request<HistoryState>('POST', `/api/datasets/${enc(id)}/steps`, { step });
  undo = (id: string) => this.request<HistoryState>('POST', `/api/datasets/${enc(id)}/undo`);
  redo = (id: string) => this.request<HistoryState>('POST', `/api/datasets/${enc(id)}/redo`);
  replaceRecipe = (id: string, recipe: Recipe) =>
    this.request<HistoryState>('PUT', `/api/datasets/${enc(id)}/recipe`, { recipe });
  /** Built first (an error is answered here), then one download of it: a link alone could not show why it failed. */
  exportFile = async (id: string, format: string, formulaGuard: boolean, signal?: AbortSignal) =>
    (
      await this.request<{ href: string }>(
        'POST',
        `/api/datasets/${enc(id)}/exports`,
        { format, formulaGuard },
        signal,
      )
    ).href;
  location = (id: string) => this.request<Location>('GET', `/api/datasets/${enc(id)}/location`);
  remove = (id: string) => this.request<void>('DELETE', `/api/datasets/${enc(id)}`);
  /** Who the dataset is shared with (server mode only). */
  shares = (id: string) => this.request<Shares>('GET', `/api/datasets/${enc(id)}/shares`);
  share = (id: string, user: string, role: 'viewer' | 'editor') =>
    this.request<Shares>('POST', `/api/datasets/${enc(id)}/shares`, { user, role });
  unshare = (id: string, user: string) =>
    this.request<Shares>('DELETE', `/api/datasets/${enc(id)}/shares/${enc(user)}`);
}
