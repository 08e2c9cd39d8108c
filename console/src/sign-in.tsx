import { useState } from 'preact/hooks';
import { verifyCredential } from './api.js';

export interface Refusal {
  title: string;
  message: string;
}

interface SignInProps {
  refusal: Refusal | null;
  onSignedIn(credential: string): void;
  onRefused(refusal: Refusal): void;
}

/** Why a credential was refused, in the operator's words: wrong or expired (401) or not an admin (403). */
export function describeRefusal(status: number, message: string): Refusal {
  if (status === 401) return { title: 'Sign-in refused', message: `The proxy did not accept this key or token: ${message}` };
  if (status === 403) {
    return { title: 'Not an admin key', message: `This credential is valid but lacks the admin scope, which the console needs: ${message}` };
  }
  return { title: 'Sign-in failed', message: `The proxy answered ${status}: ${message}` };
}

export function SignIn({ refusal, onSignedIn, onRefused }: SignInProps) {
  const [credential, setCredential] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const value = credential.trim();
    if (!value) return;
    setBusy(true);
    try {
      const result = await verifyCredential(value);
      if (result.ok) onSignedIn(value);
      else onRefused(describeRefusal(result.status, result.message));
    } catch (error) {
      onRefused({ title: 'Sign-in failed', message: `The proxy could not be reached or the credential is not usable: ${String(error)}` });
    } finally {
      setCredential('');
      setBusy(false);
    }
  };

  return (
    <main class="sign-in" aria-labelledby="sign-in-title">
      {refusal ? (
        <section class="refusal" role="alert" aria-labelledby="refusal-title">
          <h1 id="refusal-title">{refusal.title}</h1>
          <p>{refusal.message}</p>
        </section>
      ) : null}
      <h2 id="sign-in-title">{refusal ? 'Sign in again' : 'Sign in to the proxy console'}</h2>
      <p>
        Use an admin API key or an admin JWT. It is kept in this tab's memory only: reloading the page signs you out.
      </p>
      <form onSubmit={submit}>
        <label for="credential">Admin key or JWT</label>
        <input
          id="credential"
          name="credential"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={credential}
          onInput={(event) => setCredential((event.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
