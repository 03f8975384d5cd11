import { useState } from 'react';
import { Modal } from './Modal.js';

/** Signing out of the server, with the choice to delete one's datasets there at once. */
export function SignOutDialog({
  user,
  onSignOut,
  onClose,
}: {
  user: string;
  onSignOut: (purge: boolean) => Promise<void>;
  onClose: () => void;
}) {
  const [purge, setPurge] = useState(true);
  const [busy, setBusy] = useState(false);
  return (
    <Modal title="Sign out" onClose={onClose} testId="sign-out-dialog">
      <p>Signing out {user} of this server.</p>
      <label className="check">
        <input type="checkbox" checked={purge} onChange={(e) => setPurge(e.target.checked)} /> Delete my
        datasets from the server now
      </label>
      <p className="muted small">
        {purge
          ? 'Every dataset you uploaded is deleted from the server’s memory at once, also for the people you shared it with and for your other sessions.'
          : 'Your datasets stay on the server until you delete them or they expire, for your other sessions and the people you shared them with.'}
      </p>
      <div className="row">
        <span className="spacer" />
        <button
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void onSignOut(purge).finally(() => setBusy(false));
          }}
        >
          Sign out
        </button>
      </div>
    </Modal>
  );
}
