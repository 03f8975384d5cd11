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
  useRestoreFocus();
  useEffect(() => box.current?.focus(), []);
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
