import { useEffect } from 'react';

/**
 * Gives focus back to what had it when the dialog opened (the column picker, the grid, a button)
 * once the dialog closes, so a keyboard user is not dropped at the top of the page. Call it
 * before the dialog's own effect that takes focus.
 */
export function useRestoreFocus(): void {
  useEffect(() => {
    const opener = document.activeElement;
    return () => {
      if (opener instanceof HTMLElement && opener.isConnected && opener !== document.body) opener.focus();
    };
  }, []);
}
