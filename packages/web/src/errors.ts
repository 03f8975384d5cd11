import { BackendError } from './api/backend.js';

/** An error in words, naming the step and column the server named. */
export function errorText(e: unknown): string {
  if (e instanceof BackendError) {
    const where = [
      e.step ? `step ${e.step.index + 1} (${e.step.op})` : '',
      e.column ? `column "${e.column}"` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return where && !e.message.includes(e.column ?? '\u0000') ? `${e.message} — ${where}` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
