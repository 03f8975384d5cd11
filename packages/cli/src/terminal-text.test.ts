import { expect, it } from 'vitest';
import { terminalText } from './terminal-text.js';

it('escapes control and bidirectional characters, and nothing else', () => {
  expect(terminalText('abc\u202edef')).toBe('"abc\\u202edef"');
  expect(terminalText('\u2066x\u2069\u200f')).toBe('"\\u2066x\\u2069\\u200f"');
  expect(terminalText('tab\there')).toBe('"tab\\there"');
  expect(terminalText('Zürich 東京 שלום')).toBe('"Zürich 東京 שלום"');
  expect(terminalText(42)).toBe('42');
});
