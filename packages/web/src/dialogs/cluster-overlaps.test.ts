import { describe, expect, it } from 'vitest';
import { clusterOverlaps } from './cluster-overlaps.js';

const cluster = (...values: string[]) => ({ values: values.map((value) => ({ value })) });

describe('clusterOverlaps', () => {
  const clusters = [cluster('Acme', 'Acme Inc'), cluster('Acme Inc', 'Acme Co'), cluster('Globex', 'Globe')];

  it('lists a value in two selected clusters, which takes the first one’s new value', () => {
    const choices = [
      { merge: true, to: 'Acme' },
      { merge: true, to: 'Acme Co' },
      { merge: true, to: 'Globex' },
    ];
    expect(clusterOverlaps(clusters, choices)).toEqual([
      { value: 'Acme Inc', clusters: [1, 2], becomes: 'Acme' },
    ]);
  });

  it('ignores clusters not selected', () => {
    expect(
      clusterOverlaps(clusters, [
        { merge: true, to: 'Acme' },
        { merge: false, to: 'Acme Co' },
      ]),
    ).toEqual([]);
  });

  it('a value that is the first cluster’s new value takes the next edit that lists it', () => {
    const choices = [
      { merge: true, to: 'Acme Inc' },
      { merge: true, to: 'Acme Co' },
    ];
    expect(clusterOverlaps(clusters, choices)).toEqual([
      { value: 'Acme Inc', clusters: [1, 2], becomes: 'Acme Co' },
    ]);
  });
});
