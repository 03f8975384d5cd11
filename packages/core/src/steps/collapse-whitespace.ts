import { call, lit } from '@tidyvault/sql';
import { z } from 'zod';
import {
  compileTargets,
  describeColumns,
  mapColumns,
  optionalColumns,
  targetColumns,
  WS_CLASS,
} from './common.js';
import type { StepDefinition } from './types.js';

const schema = z.strictObject({ op: z.literal('collapse-whitespace'), columns: optionalColumns });
export type CollapseWhitespaceStep = z.infer<typeof schema>;

export const collapseWhitespace: StepDefinition<CollapseWhitespaceStep> = {
  op: 'collapse-whitespace',
  schema,
  describe: (s) => `Collapse runs of whitespace to one space and trim in ${describeColumns(s.columns)}`,
  analyze(s, input, ctx) {
    targetColumns(s.columns, input, ctx);
    return input;
  },
  compile: (s, ctx) =>
    mapColumns(ctx, compileTargets(s.columns, ctx), (c) =>
      // After the replace every whitespace run is one U+0020, which plain trim() removes.
      call('trim', call('regexp_replace', c, lit(`[${WS_CLASS}]+`), lit(' '), lit('g'))),
    ),
};
