import { useEffect, useRef } from 'react';

/** Ctrl/Cmd+Z undoes, Shift+Ctrl/Cmd+Z (or Ctrl+Y) redoes — except while typing in a field or in a dialog. */
export function useShortcuts(o: { undo: () => void; redo: () => void }): void {
  // The listener reads the handlers of the latest render: a key pressed right after the
  // screen changed must act on what the person sees, not on the state before it.
  const latest = useRef(o);
  latest.current = o;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (
        t &&
        (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)
      )
        return;
      if (!(e.ctrlKey || e.metaKey)) return;
      const k = e.key.toLowerCase();
      // A dialog open over the data (export, cluster, duplicates, a column's menu) shows that
      // recipe: changing it underneath would leave the dialog acting on data that moved. Nor does
      // the browser's own undo run: it would pull the focus out of the dialog into the last field
      // typed in behind it.
      if (document.querySelector('[role="dialog"]')) {
        if (k === 'z' || k === 'y') e.preventDefault();
        return;
      }
      if (k === 'z' && !e.shiftKey) {
        e.preventDefault();
        latest.current.undo();
      } else if ((k === 'z' && e.shiftKey) || k === 'y') {
        e.preventDefault();
        latest.current.redo();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
