import fs from 'node:fs';
import path from 'node:path';
import type { GoldenCase, TableResult } from '@tidyvault/core';

export const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../fixtures');

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));

/** Every case of fixtures/golden and fixtures/golden-errors, read from disk. */
export function loadGoldenCases(root = FIXTURES): GoldenCase[] {
  const cases: GoldenCase[] = [];
  for (const [folder, kind] of [
    ['golden', 'expected.json'],
    ['golden-errors', 'expected-error.json'],
  ] as const) {
    const dir = path.join(root, folder);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      const caseDir = path.join(dir, name);
      if (!fs.statSync(caseDir).isDirectory()) continue;
      const base = {
        name: `${folder}/${name}`,
        inputCsv: fs.readFileSync(path.join(caseDir, 'input.csv')),
        recipe: readJson(path.join(caseDir, 'recipe.json')),
      };
      const expected = readJson(path.join(caseDir, kind));
      cases.push(
        kind === 'expected.json'
          ? { ...base, expected: expected as TableResult }
          : { ...base, expectedError: expected as { step: number; column?: string } },
      );
    }
  }
  return cases;
}
