import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * SECURITY-CONTROLS 23: outbound TLS is verified. No source outside tests may turn certificate
 * checks off: `rejectUnauthorized: false`, the NODE_TLS_… environment switch, or a
 * `checkServerIdentity` override (a hook that can accept any host name).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const BANNED: [string, RegExp][] = [
  ['rejectUnauthorized: false', /rejectUnauthorized['"]?\s*[:=]\s*(false|0|!1)\b/],
  ['NODE_TLS_REJECT_UNAUTHORIZED', new RegExp(['NODE', 'TLS', 'REJECT', 'UNAUTHORIZED'].join('_'))],
  ['checkServerIdentity', /checkServerIdentity/],
];
const SOURCE = /\.(ts|tsx|js|mjs|cjs)$/;
const isTest = (file: string) => /\.test\.(ts|tsx|js|mjs)$/.test(file) || /(^|\/)test-[^/]*$/.test(file);

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) sources(p, out);
    else if (SOURCE.test(entry.name) && !isTest(p)) out.push(p);
  }
  return out;
}

function findBanned(text: string): string[] {
  return BANNED.filter(([, re]) => re.test(text)).map(([name]) => name);
}

describe('no source turns TLS certificate verification off', () => {
  it('finds what it looks for (the check can fail)', () => {
    expect(findBanned('const o = { rejectUnauthorized: false };')).toEqual(['rejectUnauthorized: false']);
    expect(findBanned("process.env['NODE_TLS_REJECT_" + "UNAUTHORIZED'] = '0'")).toEqual([
      'NODE_TLS_REJECT_UNAUTHORIZED',
    ]);
    expect(findBanned('tls.connect({ checkServerIdentity: () => undefined })')).toEqual([
      'checkServerIdentity',
    ]);
    expect(findBanned('{ rejectUnauthorized: true }')).toEqual([]);
  });

  it('packages/*/src and bench hold none of them outside tests', () => {
    const files = [
      ...fs.readdirSync(path.join(root, 'packages')).flatMap((p) => {
        const src = path.join(root, 'packages', p, 'src');
        return fs.existsSync(src) ? sources(src) : [];
      }),
      ...(fs.existsSync(path.join(root, 'bench')) ? sources(path.join(root, 'bench')) : []),
    ];
    expect(files.length).toBeGreaterThan(100);
    const hits = files.flatMap((f) =>
      findBanned(fs.readFileSync(f, 'utf8')).map((what) => `${path.relative(root, f)}: ${what}`),
    );
    expect(hits).toEqual([]);
  });
});
