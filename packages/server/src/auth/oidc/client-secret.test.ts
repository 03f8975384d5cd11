import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readClientSecret, SecretValue } from './client-secret.js';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-secret-test-'));

describe('the OIDC client secret', () => {
  it('never prints: String, JSON and util.inspect (what loggers use) say [secret]', () => {
    const s = new SecretValue('hunter2-canary');
    const o = { oidcClientSecret: s };
    expect(String(s)).toBe('[secret]');
    expect(JSON.stringify(o)).toBe('{"oidcClientSecret":"[secret]"}');
    expect(inspect(o)).not.toContain('hunter2');
    expect(`${s}`).toBe('[secret]');
    expect(s.reveal()).toBe('hunter2-canary');
  });

  it('reads a private file (one line; a trailing newline is not part of it)', () => {
    const f = path.join(dir(), 'secret');
    fs.writeFileSync(f, 's3cret value\n', { mode: 0o600 });
    expect(readClientSecret({ kind: 'file', path: f }).reveal()).toBe('s3cret value');
  });

  it('refuses a file others can read, a missing file, an empty or multi-line one', () => {
    const d = dir();
    const open = path.join(d, 'open');
    fs.writeFileSync(open, 'x', { mode: 0o644 });
    fs.chmodSync(open, 0o644);
    expect(() => readClientSecret({ kind: 'file', path: open })).toThrow(
      /readable by other users .*chmod 600/,
    );
    expect(() => readClientSecret({ kind: 'file', path: path.join(d, 'nope') })).toThrow(
      /cannot be read \(ENOENT\)/,
    );
    const empty = path.join(d, 'empty');
    fs.writeFileSync(empty, '\n', { mode: 0o600 });
    expect(() => readClientSecret({ kind: 'file', path: empty })).toThrow(/alone, on one line/);
    const two = path.join(d, 'two');
    fs.writeFileSync(two, 'a\nb\n', { mode: 0o600 });
    expect(() => readClientSecret({ kind: 'file', path: two })).toThrow(/alone, on one line/);
    // The error messages never quote the file's content.
    try {
      readClientSecret({ kind: 'file', path: two });
    } catch (e) {
      expect((e as Error).message).not.toMatch(/\ba\b.*\bb\b/);
    }
  });

  it('takes one from the environment', () => {
    expect(
      readClientSecret({
        kind: 'environment',
        variable: 'TIDYVAULT_OIDC_CLIENT_SECRET',
        value: ' v ',
      }).reveal(),
    ).toBe('v');
    expect(() =>
      readClientSecret({ kind: 'environment', variable: 'TIDYVAULT_OIDC_CLIENT_SECRET', value: ' ' }),
    ).toThrow(/is empty/);
  });
});
