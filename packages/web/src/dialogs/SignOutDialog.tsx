import { useEffect, useState } from 'react';
import { Modal } from './Modal.js';

/** Signing out of the server, with the choice to delete one's datasets there at once. */
export function SignOutDialog({
  user,
  signInMode,
  onSignOut,
  onClose,
}: {
  user: string;
  /** How this server signs people in: in `single` mode nobody can sign in again until a restart. */
  signInMode: () => Promise<{ mode: string }>;
  onSignOut: (purge: boolean) => Promise<void>;
  onClose: () => void;
}) {
  const [purge, setPurge] = useState(true);
  const [busy, setBusy] = useState(false);
  const [single, setSingle] = useState(false);
  useEffect(() => {
    let live = true;
    signInMode().then(
      (m) => live && setSingle(m.mode === 'single'),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [signInMode]);
  return (
    <Modal title="Sign out" onClose={onClose} testId="sign-out-dialog">
      <p>Signing out {user} of this server.</p>
      <label className="check">
        <input type="checkbox" checked={purge} onChange={(e) => setPurge(e.target.checked)} /> Delete my
        datasets from the server now
      </label>
      {single && (
        <p className="notice" data-testid="single-user-sign-out">
          This server has no accounts: once signed out, you can sign in again only with a new one-time link,
          which the server prints when it starts, and a restart deletes every dataset. To come back to your
          datasets later, keep this tab open instead of signing out.
        </p>
      )}
      <p className="muted small">
        {purge
          ? `Every dataset you uploaded is deleted from the server’s memory at once${single ? '' : ', also for the people you shared it with and for your other sessions'}.`
          : `Your datasets stay on the server until you delete them or they expire${single ? '' : ', for your other sessions and the people you shared them with'}.`}
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
