import { useEffect, useRef, type ReactNode } from 'react';
import { useRestoreFocus } from './restore-focus.js';

/** A centred dialog: Escape or a click outside closes it; focus moves into it, and back once it closes. */
export function Modal({
  title,
  onClose,
  children,
  testId,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useRestoreFocus();
  useEffect(() => box.current?.focus(), []);
  // A button disabled while it works (Find clusters) drops the focus to the page: a key pressed
  // then still belongs to the dialog (Escape closes it, anything else brings the focus back).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (document.activeElement !== null && document.activeElement !== document.body) return;
      if (e.key === 'Escape') close.current();
      else box.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={box}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        tabIndex={-1}
        data-testid={testId}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <div className="row">
          <h2>{title}</h2>
          <span className="spacer" />
          <button className="link" onClick={onClose} aria-label="Close">
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
