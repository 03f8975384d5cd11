/** Characters that reorder the text around them on a terminal (Unicode bidirectional controls). */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A value as the CLI prints it for people: JSON's quoting (control characters escaped), and the
 * bidirectional controls escaped too, so a value cannot make itself or the next one display
 * reversed.
 */
export function terminalText(value: unknown): string {
  return JSON.stringify(value).replace(
    BIDI_CONTROLS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
