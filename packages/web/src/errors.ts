import { BackendError } from './api/backend.js';

/** An error in words, naming the step and column the server named (once: messages often do already). */
export function errorText(e: unknown): string {
  if (e instanceof BackendError) {
    // The step's index is 1-based, as its message says it.
    const step = e.step ? `step ${e.step.index} (${e.step.op})` : '';
    const where = [
      step && !e.message.includes(step) ? step : '',
      e.column && !e.message.includes(e.column) ? `column "${e.column}"` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return where ? `${e.message} — ${where}` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/** The CLI's (or the API's) advice in import errors, and what to do in the Open screen instead. */
const RAGGED_CLI_ADVICE =
  /\((?:pass --ragged extend|upload again with \?ragged=extend) to add columns[^)]*\)/;
const RAGGED_UI_ADVICE = "(choose 'add columns' under How the file is read)";
const DELIMITER_CLI_ADVICE = /: (?:--delimiter names another|upload again with \?delimiter= naming another)$/;
const DELIMITER_UI_ADVICE = ': choose the delimiter under How the file is read';

/** Why a file could not be opened, naming the file once, with advice that fits the Open screen. */
export function openErrorText(e: unknown, file: string): string {
  let text = errorText(e);
  if (e instanceof BackendError && e.code === 'IMPORT_RAGGED')
    text = text
      .replace(RAGGED_CLI_ADVICE, RAGGED_UI_ADVICE)
      .replace(DELIMITER_CLI_ADVICE, DELIMITER_UI_ADVICE);
  return text.startsWith(`${file}:`) || text.startsWith(`${file} (`) ? text : `${file}: ${text}`;
}
