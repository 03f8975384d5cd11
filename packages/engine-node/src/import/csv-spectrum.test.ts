import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEngine } from '../node-engine.js';

/** The csv-spectrum conformance cases (github.com/max-mapper/csv-spectrum), inputs and expected records. */
const CASES: Record<string, [string, Record<string, string>[]]> = {
  comma_in_quotes: [
    'first,last,address,city,zip\nJohn,Doe,120 any st.,"Anytown, WW",08123\n',
    [{ first: 'John', last: 'Doe', address: '120 any st.', city: 'Anytown, WW', zip: '08123' }],
  ],
  empty: [
    'a,b,c\n1,"",""\n2,3,4\n',
    [
      { a: '1', b: '', c: '' },
      { a: '2', b: '3', c: '4' },
    ],
  ],
  empty_crlf: [
    'a,b,c\r\n1,"",""\r\n2,3,4\r\n',
    [
      { a: '1', b: '', c: '' },
      { a: '2', b: '3', c: '4' },
    ],
  ],
  escaped_quotes: [
    'a,b\n1,"ha ""ha"" ha"\n3,4\n',
    [
      { a: '1', b: 'ha "ha" ha' },
      { a: '3', b: '4' },
    ],
  ],
  json: [
    'key,val\n1,"{""type"": ""Point"", ""coordinates"": [102.0, 0.5]}"\n',
    [{ key: '1', val: '{"type": "Point", "coordinates": [102.0, 0.5]}' }],
  ],
  newlines: [
    'a,b,c\n1,2,3\n"Once upon \na time",5,6\n7,8,9\n',
    [
      { a: '1', b: '2', c: '3' },
      { a: 'Once upon \na time', b: '5', c: '6' },
      { a: '7', b: '8', c: '9' },
    ],
  ],
  newlines_crlf: [
    'a,b,c\r\n1,2,3\r\n"Once upon \r\na time",5,6\r\n7,8,9\r\n',
    [
      { a: '1', b: '2', c: '3' },
      { a: 'Once upon \r\na time', b: '5', c: '6' },
      { a: '7', b: '8', c: '9' },
    ],
  ],
  quotes_and_newlines: [
    'a,b\n1,"ha \n""ha"" \nha"\n3,4\n',
    [
      { a: '1', b: 'ha \n"ha" \nha' },
      { a: '3', b: '4' },
    ],
  ],
  simple: ['a,b,c\n1,2,3\n', [{ a: '1', b: '2', c: '3' }]],
  simple_crlf: ['a,b,c\r\n1,2,3\r\n', [{ a: '1', b: '2', c: '3' }]],
  utf8: [
    'a,b,c\n1,2,3\n4,5,ʤ\n',
    [
      { a: '1', b: '2', c: '3' },
      { a: '4', b: '5', c: 'ʤ' },
    ],
  ],
  location_coordinates: [
    'Contact Email,Lat,Long\nmaclin@cpw.org,40.3218,-105.0881\n,40.4056,-105.0512\n',
    [
      { 'Contact Email': 'maclin@cpw.org', Lat: '40.3218', Long: '-105.0881' },
      { 'Contact Email': '', Lat: '40.4056', Long: '-105.0512' },
    ],
  ],
};

let engine: NodeEngine;
beforeAll(async () => {
  engine = await NodeEngine.open({ threads: 2 });
});
afterAll(async () => {
  await engine.close();
});

describe('csv-spectrum conformance', () => {
  for (const [name, [input, expected]] of Object.entries(CASES)) {
    it(name, async () => {
      const ds = await engine.loadCsv(`${name}.csv`, Buffer.from(input));
      const table = await engine.run(ds, { version: 1, steps: [] });
      await engine.drop(ds);
      const records = table.rows.map((row) =>
        Object.fromEntries(table.columns.map((c, i) => [c.name, row[i]])),
      );
      expect(records).toEqual(expected);
    });
  }
});
