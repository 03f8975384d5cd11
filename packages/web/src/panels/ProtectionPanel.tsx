import { useEffect, useState } from 'react';
import type { Backend } from '../api/backend.js';
import type { Location } from '../api/types.js';
import { countdown, formatBytes } from '../format.js';
import { stagingNotice } from './staging-notice.js';

interface Props {
  backend: Backend;
  datasetId: string;
  onDeleted: () => void;
  onError: (e: unknown) => void;
  /** The owner on a server: opens the Share dialog. */
  onShare?: (() => void) | undefined;
  /** Only the owner deletes (default: yes). */
  canDelete?: boolean;
  /** Changes when shares change, to ask again who can reach the data. */
  refresh?: number;
}

/** Where this dataset is, until when, and who touched it — always on screen. */
export function ProtectionPanel({
  backend,
  datasetId,
  onDeleted,
  onError,
  onShare,
  canDelete = true,
  refresh = 0,
}: Props) {
  const [loc, setLoc] = useState<Location>();
  const [now, setNow] = useState(Date.now());
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    let live = true;
    const load = () =>
      backend.location(datasetId).then(
        (l) => live && setLoc(l),
        (e: unknown) => live && onError(e),
      );
    void load();
    const refresh = setInterval(load, 30_000);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      live = false;
      clearInterval(refresh);
      clearInterval(tick);
    };
  }, [backend, datasetId, onError, refresh]);

  const remove = async () => {
    try {
      await backend.remove(datasetId);
      onDeleted();
    } catch (e) {
      onError(e);
    }
  };

  return (
    <section className="panel protection" aria-labelledby="protection-title" data-testid="protection">
      <h2 id="protection-title">Where this data is</h2>
      {!loc ? (
        <p className="muted">Asking the server…</p>
      ) : (
        <>
          <p data-testid="where">
            {backend.kind === 'server'
              ? `On the server, in the memory of the Tidyvault process only (about ${formatBytes(loc.approxBytes)}).`
              : 'On this device, in this browser tab only.'}
          </p>
          <p className="small">
            On disk:{' '}
            {loc.onDisk.length === 0
              ? 'nothing'
              : loc.onDisk.map((f) => `${f.path} (${formatBytes(f.bytes)})`).join(', ')}
          </p>
          {stagingNotice(loc) && (
            <p className="notice" data-testid="staging-on-disk">
              {stagingNotice(loc)}
            </p>
          )}
          <p className="small" data-testid="expires">
            {backend.kind === 'device' ? (
              <>
                Deleted when you close or reload this tab, or press Delete; nothing is kept in the
                browser&apos;s storage.
              </>
            ) : (
              <>
                Deleted automatically <strong>{countdown(Date.parse(loc.expiresAt) - now)}</strong> (
                {new Date(loc.expiresAt).toLocaleTimeString()}) unless used again; owner: {loc.owner}.
              </>
            )}
          </p>
          {loc.sharedWith
            ?.filter((s) => s.breakGlass)
            .map((s) => (
              <p className="notice" role="alert" key={`glass-${s.user}`} data-testid="break-glass">
                Administrator {s.user} can view this dataset until{' '}
                {new Date(s.breakGlass!.until).toLocaleTimeString()} (break-glass): “{s.breakGlass!.reason}”
              </p>
            ))}
          {loc.sharedWith && (
            <p className="small" data-testid="shared-with">
              {loc.sharedWith.length === 0
                ? `Only ${loc.owner} can open it.`
                : `Shared with: ${loc.sharedWith.map((s) => `${s.user} (${s.role})`).join(', ')}.`}
            </p>
          )}
          <details>
            <summary>Recent access ({loc.recentAccesses.length})</summary>
            <ul className="small">
              {loc.recentAccesses
                .slice(-10)
                .reverse()
                .map((a, i) => (
                  <li key={i}>
                    {new Date(a.at).toLocaleTimeString()} — {a.user}: {a.op}
                  </li>
                ))}
            </ul>
            <p className="muted small">{loc.caveat}</p>
          </details>
        </>
      )}
      {onShare && (
        <button onClick={onShare} data-testid="share">
          Share…
        </button>
      )}
      {!canDelete ? null : confirming ? (
        <div className="row">
          <span>
            {backend.kind === 'device' ? 'Delete it from this tab now?' : 'Delete it from the server now?'}
          </span>
          <button className="danger" onClick={() => void remove()}>
            Delete now
          </button>
          <button className="link" onClick={() => setConfirming(false)}>
            cancel
          </button>
        </div>
      ) : (
        <button className="danger" onClick={() => setConfirming(true)}>
          Delete this dataset…
        </button>
      )}
    </section>
  );
}
