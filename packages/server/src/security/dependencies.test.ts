import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// SECURITY-CONTROLS 45: `npm audit` cannot reach the advisory database from where this is built,
// so the versions with advisories that matter to this product are written down here, and the
// lock file must hold none of them. Add a line with each advisory that lands.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

interface KnownBad {
  name: string;
  /** Versions from `from` (default: any) up to, not including, `fixed` are refused. */
  from?: string;
  fixed: string;
  advisory: string;
}

const KNOWN_BAD: KnownBad[] = [
  // Every npm release of SheetJS is below its fixes (0.20.2 is on its own CDN only).
  { name: 'xlsx', fixed: '0.20.2', advisory: 'CVE-2023-30533 prototype pollution, CVE-2024-22363 ReDoS' },
  { name: '@fastify/multipart', fixed: '7.4.1', advisory: 'CVE-2023-25576 unbounded parts (DoS)' },
  {
    name: 'fastify',
    from: '5.0.0',
    fixed: '5.3.2',
    advisory: 'CVE-2025-32442 content-type validation bypass',
  },
  {
    name: 'fast-xml-parser',
    fixed: '4.4.1',
    advisory: 'CVE-2023-34104 prototype pollution, CVE-2024-41818 ReDoS',
  },
  { name: '@duckdb/node-api', fixed: '1.4.2', advisory: 'GHSA-vmp8-hg63-v2hp weak RNG and key handling' },
  {
    name: '@duckdb/node-bindings',
    fixed: '1.4.2',
    advisory: 'GHSA-vmp8-hg63-v2hp weak RNG and key handling',
  },
  { name: 'jose', fixed: '2.0.7', advisory: 'CVE-2024-28176 JWE decompression DoS' },
  { name: 'jose', from: '3.0.0', fixed: '4.15.5', advisory: 'CVE-2024-28176 JWE decompression DoS' },
  { name: 'cookie', fixed: '0.7.0', advisory: 'CVE-2024-47764 cookie name/path injection' },
  { name: 'ws', from: '8.0.0', fixed: '8.17.1', advisory: 'CVE-2024-37890 DoS with many headers' },
  { name: 'undici', fixed: '5.28.5', advisory: 'CVE-2025-22150 predictable multipart boundary' },
  {
    name: 'undici',
    from: '6.0.0',
    fixed: '6.21.1',
    advisory: 'CVE-2025-22150 predictable multipart boundary',
  },
  {
    name: 'undici',
    from: '7.0.0',
    fixed: '7.2.3',
    advisory: 'CVE-2025-22150 predictable multipart boundary',
  },
];

/** major.minor.patch of a version (a pre-release suffix is ignored). */
const parts = (v: string): number[] => v.split('-')[0]!.split('.').map(Number);
function below(v: string, w: string): boolean {
  const [a, b] = [parts(v), parts(w)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

/** The lock file's packages, by name and version, with the advisory each known-bad one has. */
function offenders(packages: Record<string, { version?: string }>): string[] {
  const found: string[] = [];
  for (const [where, p] of Object.entries(packages)) {
    if (!where.includes('node_modules/') || !p.version) continue;
    const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
    for (const bad of KNOWN_BAD) {
      if (bad.name !== name || !below(p.version, bad.fixed)) continue;
      if (bad.from && below(p.version, bad.from)) continue;
      found.push(`${where}@${p.version}: ${bad.advisory}`);
    }
  }
  return found;
}

describe('dependencies (SECURITY-CONTROLS 45)', () => {
  it('the lock file holds no version with a known advisory', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    expect(Object.keys(lock.packages).length).toBeGreaterThan(100);
    expect(offenders(lock.packages)).toEqual([]);
  });

  it('the check trips on a known-bad version, and not on the fixed one', () => {
    expect(
      offenders({
        'node_modules/xlsx': { version: '0.18.5' },
        'node_modules/a/node_modules/fastify': { version: '5.3.1' },
        'node_modules/@duckdb/node-api': { version: '1.4.1-r.2' },
        'node_modules/fast-xml-parser': { version: '4.4.1' },
        'node_modules/jose': { version: '4.15.5' },
        'node_modules/ws': { version: '7.5.10' },
      }),
    ).toEqual([
      'node_modules/xlsx@0.18.5: CVE-2023-30533 prototype pollution, CVE-2024-22363 ReDoS',
      'node_modules/a/node_modules/fastify@5.3.1: CVE-2025-32442 content-type validation bypass',
      'node_modules/@duckdb/node-api@1.4.1-r.2: GHSA-vmp8-hg63-v2hp weak RNG and key handling',
    ]);
  });

  it('npm run sbom gives a CycloneDX bill of materials of what runs, DuckDB at its pinned version', () => {
    const out = execFileSync('npm', ['run', '--silent', 'sbom'], { cwd: ROOT, encoding: 'utf8' });
    const bom = JSON.parse(out) as { bomFormat: string; components: { name: string; version: string }[] };
    expect(bom.bomFormat).toBe('CycloneDX');
    const names = new Map(bom.components.map((c) => [c.name, c.version]));
    const pinned = (
      JSON.parse(fs.readFileSync(path.join(ROOT, 'packages/engine-node/package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      }
    ).dependencies['@duckdb/node-api'];
    expect(names.get('@duckdb/node-api')).toBe(pinned);
    expect(names.has('fastify')).toBe(true);
    // Development tools are not part of what is shipped.
    expect(names.has('vitest')).toBe(false);
    expect(names.has('xlsx')).toBe(false);
  });
});
