import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * SECURITY-CONTROLS 40 (no telemetry, no third-party assets), as a tripwire: every web address in
 * the files the browser is sent, and every package installed, against a list that says why each
 * is there. A new address or an analytics package fails here until someone looks at it.
 */

const WEB = path.join(import.meta.dirname, '..');
const ROOT = path.join(WEB, '..', '..');
const BUILDS = ['dist', 'dist-local'].map((d) => path.join(WEB, d));

/** Origins that appear as text in the code and are never fetched, with the reason. */
const TEXT_ONLY: Record<string, string> = {
  'http://www.w3.org': 'XML and SVG namespace names',
  'http://schemas.openxmlformats.org': 'XLSX namespace names (the XLSX writer and reader)',
  'http://json-schema.org': 'JSON Schema $schema names (zod)',
  'https://json-schema.org': 'JSON Schema $schema names (zod)',
  'https://github.com': 'links inside libraries’ error messages and package metadata',
  'https://reactjs.org': 'links inside React’s error messages',
  'http://fb.me': 'links inside React’s error messages',
  'https://marked.js.org': 'a link inside the Markdown renderer’s error message',
};

/**
 * In DuckDB's WebAssembly binary: its documentation and extension repositories. Never reached:
 * extension install and autoload are off and locked (engine-wasm's lockdown), and the CSP allows
 * connections to the page's own origin only (e2e/local-mode.test.ts records every request).
 */
const IN_DUCKDB_WASM: Record<string, string> = {
  'https://duckdb.org': 'documentation links in DuckDB’s messages',
  'https://extensions.duckdb.org': 'the default extension repository (install is off)',
  'https://nightly-extensions.duckdb.org': 'the nightly extension repository (install is off)',
  'https://community-extensions.duckdb.org': 'the community extension repository (off)',
  'https://unpkg.com': 'an extension repository of DuckDB-WASM builds (install is off)',
};

/** Analytics, error reporting and monitoring SDKs: none may be installed. */
const DENIED = [
  /^@sentry\//,
  /^posthog/,
  /^mixpanel/,
  /^@segment\//,
  /^analytics-node$/,
  /^newrelic$/,
  /^@newrelic\//,
  /^@datadog\//,
  /^dd-trace$/,
  /^applicationinsights$/,
  /^@amplitude\//,
  /^@bugsnag\//,
  /^logrocket/,
  /^@opentelemetry\/exporter/,
];

function filesOf(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

const origins = (text: string) => new Set([...text.matchAll(/https?:\/\/[A-Za-z0-9.-]+/g)].map((m) => m[0]));

describe('no third party in what the browser gets, nor in the dependencies', () => {
  for (const build of BUILDS) {
    it(`${path.basename(build)}: names no origin but known text, and its page loads nothing from elsewhere`, () => {
      if (!fs.existsSync(build))
        throw new Error(`${build} is missing: npm test builds it first (npm run build, npm run build:local)`);
      const found = new Map<string, string[]>();
      for (const file of filesOf(build)) {
        const wasm = file.endsWith('.wasm');
        const text = fs.readFileSync(file, wasm ? 'latin1' : 'utf8');
        for (const origin of origins(text)) {
          if ((wasm ? IN_DUCKDB_WASM : TEXT_ONLY)[origin]) continue;
          found.set(origin, [...(found.get(origin) ?? []), path.relative(build, file)]);
        }
      }
      expect(Object.fromEntries(found)).toEqual({});
      for (const html of filesOf(build).filter((f) => f.endsWith('.html'))) {
        const page = fs.readFileSync(html, 'utf8');
        expect(page, html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
      }
    });
  }

  it('the tripwire trips: an address not on the list is found', () => {
    const text = 'fetch("https://telemetry.example.com/collect")';
    expect([...origins(text)].filter((o) => !TEXT_ONLY[o])).toEqual(['https://telemetry.example.com']);
  });

  it('installs no analytics, error-reporting or monitoring package', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    const names = Object.keys(lock.packages)
      .filter((p) => p.includes('node_modules/'))
      .map((p) => p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(names.length).toBeGreaterThan(100);
    expect(names.filter((n) => DENIED.some((d) => d.test(n)))).toEqual([]);
    expect(DENIED.some((d) => d.test('@sentry/browser'))).toBe(true);
  });
});
