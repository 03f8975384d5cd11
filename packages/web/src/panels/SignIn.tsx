import { useEffect, useState } from 'react';
import type { HttpBackend } from '../api/http-backend.js';
import type { Me } from '../api/types.js';
import { errorText } from '../errors.js';

interface Props {
  server: HttpBackend;
  onSignedIn: (me: Me) => void;
}

/**
 * The server's way in: the login link (single user), a form (local accounts, first admin), or a
 * link to the single sign-on provider.
 */
export function SignIn({ server, onSignedIn }: Props) {
  const [mode, setMode] = useState<{
    mode: 'single' | 'local' | 'oidc';
    setup: boolean;
    provider?: string;
  }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    server.mode().then(setMode, (e: unknown) => setError(errorText(e)));
  }, [server]);
  if (!mode) return error ? <p className="error">{error}</p> : null;
  if (mode.mode === 'single')
    return (
      <p className="muted" data-testid="signed-out">
        To use the server, open the one-time login link that <code>tidyvault serve</code> printed when it
        started (or start it again for a new link).
      </p>
    );
  // A plain link: the server redirects to the provider, which sends the browser back signed in.
  if (mode.mode === 'oidc')
    return (
      <div className="sign-in" data-testid="sign-in">
        <h2>Sign in to the server</h2>
        <a className="sso-button" href="/auth/oidc/login">
          Sign in with {mode.provider ?? 'single sign-on'}
        </a>
      </div>
    );
  // No administrator yet: the first one is made with the setup token (members may sign in).
  const setup = mode.setup && creating;
  const submit = async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const username = String(data.get('username') ?? '');
    const password = String(data.get('password') ?? '');
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(
        setup
          ? await server.setup(String(data.get('token') ?? ''), username, password)
          : await server.login(username, password),
      );
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="sign-in"
      data-testid="sign-in"
      onSubmit={(e) => {
        e.preventDefault();
        void submit(e.currentTarget);
      }}
    >
      <h2>{setup ? 'Create the first administrator' : 'Sign in to the server'}</h2>
      {mode.setup && (
        <button type="button" className="link" onClick={() => setCreating(!setup)}>
          {setup
            ? 'Sign in with an account instead'
            : 'No administrator yet: create one with the setup token'}
        </button>
      )}
      {setup && (
        <div className="field">
          <label htmlFor="setup-token">Setup token (printed by tidyvault serve)</label>
          <input id="setup-token" name="token" autoComplete="off" required />
        </div>
      )}
      <div className="field">
        <label htmlFor="username">User name</label>
        <input id="username" name="username" autoComplete="username" required />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete={setup ? 'new-password' : 'current-password'}
          minLength={setup ? 8 : undefined}
          required
        />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button className="primary" type="submit" disabled={busy}>
        {setup ? 'Create and sign in' : 'Sign in'}
      </button>
    </form>
  );
}
