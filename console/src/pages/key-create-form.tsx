import { useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { errorMessage } from '../format.js';
import type { KeyJson } from './keys.js';

const SCOPES = ['chat', 'completions', 'embeddings', 'models:read', 'ollama', 'admin'];
const DEFAULT_SCOPES = ['chat', 'completions', 'embeddings', 'models:read'];

const list = (text: string) => text.split(',').map((item) => item.trim()).filter(Boolean);

export function SecretPanel({ title, secret, onDone }: { title: string; secret: string; onDone(): void }) {
  return (
    <section class="secret" role="status" aria-labelledby="secret-title">
      <h2 id="secret-title">{title}</h2>
      <p>Copy it now: the proxy stores only a hash and will never show it again.</p>
      <output class="secret-value" aria-label="New secret" data-testid="new-secret">
        {secret}
      </output>
      <button type="button" onClick={onDone}>
        I have copied it
      </button>
    </section>
  );
}

export function CreateKeyForm({ api, onCreated }: { api: Api; onCreated(name: string, secret: string): void }) {
  const [scopes, setScopes] = useState<string[]>(DEFAULT_SCOPES);
  const [error, setError] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
    const body: Record<string, unknown> = { name: field('name'), scopes };
    const models = list(field('models'));
    if (models.length > 0) body.models = models;
    if (field('tier')) body.tier = field('tier');
    if (field('expires_in')) body.expires_in = field('expires_in');
    try {
      const created = await api.send<KeyJson & { secret: string }>('POST', '/api/v1/keys', body);
      setError(undefined);
      form.reset();
      setScopes(DEFAULT_SCOPES);
      onCreated(created.name, created.secret);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="create-title">
      <h2 id="create-title">Create a key</h2>
      <label for="key-name">Name</label>
      <input id="key-name" name="name" required />
      <fieldset>
        <legend>Scopes</legend>
        {SCOPES.map((scope) => (
          <label key={scope} class="check">
            <input
              type="checkbox"
              name="scope"
              value={scope}
              checked={scopes.includes(scope)}
              onChange={(event) => {
                const on = (event.target as HTMLInputElement).checked;
                setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));
              }}
            />
            {scope}
          </label>
        ))}
      </fieldset>
      <label for="key-models">Models (comma-separated patterns; empty: all)</label>
      <input id="key-models" name="models" placeholder="deepseek-r1:*" />
      <label for="key-tier">Rate-limit tier</label>
      <input id="key-tier" name="tier" placeholder="default" />
      <label for="key-expires">Expires in (e.g. 30d, 72h; empty: never)</label>
      <input id="key-expires" name="expires_in" />
      {error ? <p role="alert">{error}</p> : null}
      <button type="submit">Create key</button>
    </form>
  );
}

