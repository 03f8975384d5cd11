import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stagingRoot } from '@tidyvault/engine-node';
import { CLI, FIXTURES, tidyvault, workdir, write } from './run-cli.js';

const dir = workdir();

function clusterJson(file: string, ...args: string[]) {
  const r = tidyvault(['cluster', file, ...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as {
    column: string;
    method: string;
    clusters: { values: { value: string; count: number }[]; suggested: string }[];
  };
}

describe('tidyvault cluster: every key-collision method', () => {
  it('fingerprint folds accents, ligatures and Unicode whitespace; keeps symbols; NULL is never clustered', () => {
    const file = write(
      dir,
      'f.csv',
      'v\nCafé\ncafe\ncafe\nCAFE\n\uFB01nance\nFinance\nC++\nc++\nC\n"a\u00A0b"\nb a\n\n',
    );
    const out = clusterJson(file, '--column', 'v', '--method', 'fingerprint');
    expect(out.column).toBe('v');
    expect(out.method).toBe('fingerprint');
    expect(out.clusters).toEqual([
      {
        values: [
          { value: 'cafe', count: 2 },
          { value: 'CAFE', count: 1 },
          { value: 'Café', count: 1 },
        ],
        suggested: 'cafe',
      },
      {
        values: [
          { value: 'C++', count: 1 },
          { value: 'c++', count: 1 },
        ],
        suggested: 'C++',
      },
      {
        values: [
          { value: 'Finance', count: 1 },
          { value: '\uFB01nance', count: 1 },
        ],
        suggested: 'Finance',
      },
      {
        values: [
          { value: 'a\u00A0b', count: 1 },
          { value: 'b a', count: 1 },
        ],
        suggested: 'a\u00A0b',
      },
    ]);
  });

  it('ngram-fingerprint with --ngram-size', () => {
    const file = write(dir, 'n.csv', 'v\nabab\nbaba\nab\nabc\n');
    expect(clusterJson(file, '--column', 'v', '--method', 'ngram-fingerprint').clusters).toEqual([
      {
        values: [
          { value: 'abab', count: 1 },
          { value: 'baba', count: 1 },
        ],
        suggested: 'abab',
      },
    ]);
    expect(
      clusterJson(file, '--column', 'v', '--method', 'ngram-fingerprint', '--ngram-size', '1').clusters,
    ).toEqual([
      {
        values: [
          { value: 'ab', count: 1 },
          { value: 'abab', count: 1 },
          { value: 'baba', count: 1 },
        ],
        suggested: 'ab',
      },
    ]);
  });

  it('cologne-phonetic', () => {
    const file = write(dir, 'c.csv', 'v\nMeier\nMaier\nMayr\nMeyer\nMeyer\nMüller\nMueller\nSchmidt\n');
    expect(clusterJson(file, '--column', 'v', '--method', 'cologne-phonetic').clusters).toEqual([
      {
        values: [
          { value: 'Meyer', count: 2 },
          { value: 'Maier', count: 1 },
          { value: 'Mayr', count: 1 },
          { value: 'Meier', count: 1 },
        ],
        suggested: 'Meyer',
      },
      {
        values: [
          { value: 'Mueller', count: 1 },
          { value: 'Müller', count: 1 },
        ],
        suggested: 'Mueller',
      },
    ]);
  });

  it('daitch-mokotoff: accents folded, NULL never clustered, values without a coded letter share 000000', () => {
    // JSON null and a missing key are NULL, which is never clustered (its key would be 000000)
    const rows = ['Moskowitz', 'MOSKOVITZ', 'Moskovitz', 'Éléonore', 'Eleonore', null, '123', '', 'Müller'];
    const file = write(dir, 'd.json', JSON.stringify([...rows.map((v) => ({ v })), {}]));
    const out = clusterJson(file, '--column', 'v', '--method', 'daitch-mokotoff');
    expect(out.method).toBe('daitch-mokotoff');
    expect(out.clusters).toEqual([
      {
        values: [
          { value: 'MOSKOVITZ', count: 1 },
          { value: 'Moskovitz', count: 1 },
          { value: 'Moskowitz', count: 1 },
        ],
        suggested: 'MOSKOVITZ',
      },
      {
        values: [
          { value: '', count: 1 },
          { value: '123', count: 1 },
        ],
        suggested: '',
      },
      {
        values: [
          { value: 'Eleonore', count: 1 },
          { value: 'Éléonore', count: 1 },
        ],
        suggested: 'Eleonore',
      },
    ]);
  });

  it('a value holding U+001F or U+001E (the packing separators) still comes back unchanged', () => {
    const file = write(dir, 's.csv', 'v\na\u001Fb\nA B\nab\n');
    expect(clusterJson(file, '--column', 'v', '--method', 'fingerprint').clusters).toEqual([
      {
        values: [
          { value: 'a\u001Fb', count: 1 },
          { value: 'ab', count: 1 },
        ],
        suggested: 'a\u001Fb',
      },
    ]);
    const marked = write(dir, 'r.csv', 'v\nab\u001E3\nAB3\nAB3\nab3\n');
    expect(clusterJson(marked, '--column', 'v', '--method', 'fingerprint').clusters).toEqual([
      {
        values: [
          { value: 'AB3', count: 2 },
          { value: 'ab\u001E3', count: 1 },
          { value: 'ab3', count: 1 },
        ],
        suggested: 'AB3',
      },
    ]);
  });

  it('metaphone3 is refused by name before any clustering; a bad method or size is a usage error', () => {
    const file = write(dir, 'm.csv', 'v\nx\n');
    const m = tidyvault(['cluster', file, '--column', 'v', '--method', 'metaphone3']);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/"metaphone3" is not available/);
    const bad = tidyvault(['cluster', file, '--column', 'v', '--method', 'soundex']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--method must be one of fingerprint, ngram-fingerprint/);
    const size = tidyvault([
      'cluster',
      file,
      '--column',
      'v',
      '--method',
      'ngram-fingerprint',
      '--ngram-size',
      '0',
    ]);
    expect(size.code).toBe(2);
    // An option the method does not take is a usage error, not silently ignored.
    const radius = tidyvault(['cluster', file, '--column', 'v', '--method', 'fingerprint', '--radius', '2']);
    expect(radius.code).toBe(2);
    expect(radius.stderr).toMatch(/--radius applies to method levenshtein or ppm only, not /);
    const ngram = tidyvault(['cluster', file, '--column', 'v', '--method', 'ppm', '--ngram-size', '2']);
    expect(ngram.stderr).toMatch(/--ngram-size applies to method ngram-fingerprint only, not /);
  });

  it('prints clusters in words without --json', () => {
    const file = write(dir, 'w.csv', 'v\nNew York\nnew york\nBoston\n');
    const r = tidyvault(['cluster', file, '--column', 'v', '--method', 'fingerprint']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 cluster in "v" \(fingerprint\)/);
    expect(r.stdout).toMatch(/→ "New York"/);
  });
});

describe('cluster-merge', () => {
  const recipe = write(
    dir,
    'merge.json',
    JSON.stringify({
      version: 1,
      steps: [
        { op: 'cluster-merge', column: 'v', method: 'fingerprint' },
        { op: 'cluster-merge', column: 'w', method: 'cologne-phonetic' },
      ],
    }),
  );

  it('carries no data and re-applies to another file', () => {
    for (const [input, expected] of [
      [
        'v,w\nCafé,Meier\ncafe,Meyer\ncafe,Meyer\n,x\n',
        '"v","w"\n"cafe","Meyer"\n"cafe","Meyer"\n"cafe","Meyer"\n"","x"\n',
      ],
      [
        'v,w\nNEW YORK,Müller\nYork New,Mueller\nYork New,\n',
        '"v","w"\n"York New","Mueller"\n"York New","Mueller"\n"York New",""\n',
      ],
    ] as const) {
      const file = write(dir, `in-${expected.length}.csv`, input);
      const out = path.join(dir, `out-${expected.length}.csv`);
      const r = tidyvault(['clean', file, '--recipe', recipe, '-o', out, '--quiet']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(fs.readFileSync(out, 'utf8')).toBe(expected);
    }
  });

  it('tidyvault sql names the key tables the query reads', () => {
    const r = tidyvault(['sql', recipe]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /-- {3}cluster_keys_fingerprint: OpenRefine's fingerprint key of each distinct value\n-- {3}cluster_keys_cologne_phonetic: OpenRefine's cologne-phonetic key of each distinct value\n/,
    );
    expect(r.stdout).toMatch(/INNER JOIN "cluster_keys_fingerprint"/);
    const ngram = tidyvault([
      'sql',
      path.join(FIXTURES, 'golden/cluster-merge-ngram-fingerprint/recipe.json'),
    ]);
    expect(ngram.stdout).toMatch(
      /cluster_keys_ngram_fingerprint_1: OpenRefine's ngram-fingerprint \(n = 1\) key/,
    );
  });

  it('merges nearest-neighbour clusters of the step’s own input, on each file afresh', () => {
    // After a trim, so the clusters are those of the trimmed values; blocking bigrams, radius 1.
    const knn = write(
      dir,
      'knn.json',
      JSON.stringify({
        version: 1,
        steps: [
          { op: 'trim', columns: ['v'] },
          { op: 'cluster-merge', column: 'v', method: 'levenshtein', params: { blockingNgramSize: 2 } },
        ],
      }),
    );
    for (const [input, expected] of [
      // "Jon Smith" is in two clusters (with "John Smith", and with "Jon Smyth"): it joins the
      // first listed, the larger; "Jon Smyth" joins that one too, as a member of it.
      [
        'v\n John Smith\nJohn Smith\nJon Smith\nJon Smyth\nJane Doe\nJane Do \nJane Doe\nAlice\n""\n',
        '"v"\n"John Smith"\n"John Smith"\n"John Smith"\n"John Smith"\n"Jane Doe"\n"Jane Doe"\n"Jane Doe"\n"Alice"\n""\n',
      ],
      // The same recipe on other values: nothing of the first file's clusters is reused.
      ['v\nJane Do\nJane Do\nJane Doe\nBob\n', '"v"\n"Jane Do"\n"Jane Do"\n"Jane Do"\n"Bob"\n'],
    ] as const) {
      const file = write(dir, `knn-${expected.length}.csv`, input);
      const out = path.join(dir, `knn-out-${expected.length}.csv`);
      const r = tidyvault(['clean', file, '--recipe', knn, '-o', out, '--quiet']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(fs.readFileSync(out, 'utf8')).toBe(expected);
    }
    const sql = tidyvault(['sql', knn]);
    expect(sql.code).toBe(0);
    expect(sql.stdout).toMatch(
      /-- {3}cluster_map_levenshtein_[0-9a-f]{32}: the levenshtein clusters of "v" as step 2 receives it/,
    );
    const table = /cluster_map_levenshtein_[0-9a-f]{32}/.exec(sql.stdout)![0];
    expect(sql.stdout).toContain(`INNER JOIN "${table}"`);
  });

  it('refuses an unavailable keyer, naming the step', () => {
    const bad = write(
      dir,
      'bad-metaphone3.json',
      JSON.stringify({ version: 1, steps: [{ op: 'cluster-merge', column: 'v', method: 'metaphone3' }] }),
    );
    const r = tidyvault(['validate', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/step 1 \(cluster-merge\).*metaphone3/);
  });
});

describe('tidyvault cluster: Ctrl+C', () => {
  // 50k distinct values that all share the blocking n-gram "value ": one block, ~1.25e9 pairs,
  // minutes of kNN work. Only a working cancellation ends these runs within the test timeout.
  const big = write(
    dir,
    'big.csv',
    'v\n' + Array.from({ length: 50_000 }, (_, i) => `value ${i.toString(36).padStart(4, '0')}\n`).join(''),
  );
  const args = ['cluster', big, '--column', 'v', '--method', 'levenshtein'];
  // Killed after each test, also one that timed out (its own finally never runs then).
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  });

  /** The staging folders of running processes whose command line names `big`. */
  function ourStagingDirs(): string[] {
    return fs.readdirSync(stagingRoot()).filter((name) => {
      const m = /^tidyvault-staging-(\d+)-/.exec(name);
      if (!m) return false;
      try {
        return fs.readFileSync(`/proc/${m[1]}/cmdline`, 'utf8').includes(big);
      } catch {
        return false;
      }
    });
  }

  function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  it.runIf(process.platform === 'linux')(
    'SIGINT stops it: exit 130, one line "cancelled", the staging folder removed',
    async () => {
      const child = spawn(process.execPath, [CLI, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, TIDYVAULT_DEBUG: '' },
      });
      children.push(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const done = exited(child);
      // The staging folder exists once the engine is open, after the SIGINT handler is installed.
      const staging = () =>
        fs.readdirSync(stagingRoot()).filter((n) => n.startsWith(`tidyvault-staging-${child.pid}-`));
      while (staging().length === 0 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
      expect(staging()).toHaveLength(1);
      child.kill('SIGINT');
      const { code, signal } = await done;
      expect({ code, signal, stdout, stderr }).toEqual({
        code: 130,
        signal: null,
        stdout: '',
        stderr: 'tidyvault cluster: cancelled\n',
      });
      expect(staging()).toEqual([]);
    },
  );

  const hasScript =
    process.platform === 'linux' && spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

  it.runIf(hasScript)(
    'on a terminal: a progress bar while comparing, and Ctrl+C stops the kNN work',
    async () => {
      // util-linux script(1) runs the CLI on a pseudo-terminal; a 0x03 byte written to it is a
      // real Ctrl+C (the terminal sends SIGINT to the foreground process).
      const command = [process.execPath, CLI, ...args]
        .map((a) => `'${a.replaceAll("'", "'\\''")}'`)
        .join(' ');
      const child = spawn('script', ['-qfec', command, '/dev/null'], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, TIDYVAULT_DEBUG: '' },
      });
      children.push(child);
      let out = '';
      const comparing = new Promise<void>((resolve) =>
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (/comparing values \[[#-]{30}\] +\d+%/.test(out)) resolve();
        }),
      );
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const done = exited(child);
      await Promise.race([comparing, done]);
      const ours = ourStagingDirs();
      expect(ours).toHaveLength(1);
      child.stdin!.write('\x03');
      const { code } = await done; // script -e: the CLI's exit code (also 130 if SIGINT killed it)
      expect(code).toBe(130);
      // The bar's line is cleared, then the one line (only the handler writes it).
      expect(out.replace(/\r?\n$/, '').endsWith('\r\u001b[2Ktidyvault cluster: cancelled')).toBe(true);
      expect(out.match(/cancelled/g)).toHaveLength(1);
      for (const name of ours) expect(fs.existsSync(path.join(stagingRoot(), name))).toBe(false);
    },
  );
});
