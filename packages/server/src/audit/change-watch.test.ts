import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChangeWatch, type WatchedChange } from './change-watch.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-change-watch-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Replaced as the stores replace their files: a new file renamed over the old one. */
const replace = (file: string, text: string) => {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
};

describe('ChangeWatch', () => {
  it('reads the file only when it was replaced (it runs on every request), and reports each change once', () => {
    const file = path.join(dir, 'names.json');
    replace(file, '["a"]');
    let reads = 0;
    const seen: WatchedChange[] = [];
    const watch = new ChangeWatch(
      file,
      () => (reads++, JSON.parse(fs.readFileSync(file, 'utf8')) as string[]),
      (before, after) => after.filter((n) => !before.includes(n)).map((n) => ({ action: 'add', target: n })),
      (c) => seen.push(c),
    );
    for (let i = 0; i < 100; i++) watch.check();
    expect(reads).toBe(1);
    replace(file, '["a","b"]');
    watch.check();
    watch.check();
    expect(reads).toBe(2);
    expect(seen).toEqual([{ action: 'add', target: 'b' }]);
  });

  it('skips a missing or unreadable file and compares the next good reading with the last one', () => {
    const file = path.join(dir, 'other.json');
    replace(file, '["a"]');
    const seen: WatchedChange[] = [];
    const watch = new ChangeWatch(
      file,
      () => JSON.parse(fs.readFileSync(file, 'utf8')) as string[],
      (before, after) => [
        ...after.filter((n) => !before.includes(n)).map((n) => ({ action: 'add', target: n })),
        ...before.filter((n) => !after.includes(n)).map((n) => ({ action: 'remove', target: n })),
      ],
      (c) => seen.push(c),
    );
    fs.rmSync(file);
    watch.check();
    replace(file, '{ not json');
    watch.check();
    replace(file, '["a","c"]');
    watch.check();
    expect(seen).toEqual([{ action: 'add', target: 'c' }]);
  });
});
