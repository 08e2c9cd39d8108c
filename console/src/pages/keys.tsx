import { useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { errorMessage, formatTime } from '../format.js';
import { useResource } from '../use-resource.js';
import { CreateKeyForm, SecretPanel } from './key-create-form.js';

export interface KeyJson {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  models: string[] | null;
  tier: string | null;
  status: 'active' | 'expired' | 'revoked';
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

interface UsageRow {
  day: string;
  model: string | null;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
}

function Usage({ api, id }: { api: Api; id: string }) {
  const usage = useResource(() => api.get<{ data: UsageRow[] }>(`/api/v1/keys/${encodeURIComponent(id)}/usage`), [id]);
  if (usage.error) return <p role="alert">{usage.error}</p>;
  if (!usage.data) return <p>Loading usage…</p>;
  if (usage.data.data.length === 0) return <p>No usage recorded yet.</p>;
  return (
    <table>
      <caption>Usage per day and model</caption>
      <thead>
        <tr><th scope="col">Day</th><th scope="col">Model</th><th scope="col">Requests</th><th scope="col">Prompt tokens</th><th scope="col">Completion tokens</th></tr>
      </thead>
      <tbody>
        {usage.data.data.map((row) => (
          <tr key={`${row.day}-${row.model}`}>
            <td>{row.day}</td><td>{row.model ?? '(none)'}</td><td>{row.requests}</td><td>{row.prompt_tokens}</td><td>{row.completion_tokens}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function KeyRow({ api, item, onChanged, onSecret }: { api: Api; item: KeyJson; onChanged(): void; onSecret(title: string, secret: string): void }) {
  const [confirming, setConfirming] = useState(false);
  const [showUsage, setShowUsage] = useState(false);
  const [error, setError] = useState<string>();
  const act = async (work: () => Promise<void>) => {
    try {
      await work();
      setError(undefined);
      onChanged();
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };
  const path = `/api/v1/keys/${encodeURIComponent(item.id)}`;
  const active = item.status === 'active';
  return (
    <>
      <tr data-key-name={item.name}>
        <th scope="row">{item.name}</th>
        <td><code>{item.prefix}</code></td>
        <td>{item.scopes.join(', ')}</td>
        <td>{item.models?.join(', ') ?? 'all'}</td>
        <td>{item.tier ?? '—'}</td>
        <td data-column="status">{item.status}</td>
        <td>{formatTime(item.expires_at)}</td>
        <td>{formatTime(item.last_used_at)}</td>
        <td class="actions">
          <button type="button" class="secondary" aria-expanded={showUsage} onClick={() => setShowUsage(!showUsage)}>
            Usage<span class="visually-hidden"> of {item.name}</span>
          </button>
          {active ? (
            <button type="button" class="secondary" onClick={() => act(async () => {
              const rotated = await api.send<{ secret: string }>('POST', `${path}/rotate`, {});
              onSecret(`New secret for ${item.name}`, rotated.secret);
            })}>
              Rotate<span class="visually-hidden"> {item.name}</span>
            </button>
          ) : null}
          {active && !confirming ? (
            <button type="button" class="danger" onClick={() => setConfirming(true)}>
              Revoke<span class="visually-hidden"> {item.name}</span>
            </button>
          ) : null}
          {active && confirming ? (
            <button type="button" class="danger" onClick={() => act(async () => void (await api.send('DELETE', path)))}>
              Confirm revoke<span class="visually-hidden"> of {item.name}</span>
            </button>
          ) : null}
          {error ? <span role="alert">{error}</span> : null}
        </td>
      </tr>
      {showUsage ? (
        <tr>
          <td colSpan={9}><Usage api={api} id={item.id} /></td>
        </tr>
      ) : null}
    </>
  );
}

export function KeysPage({ api }: { api: Api }) {
  const keys = useResource(() => api.get<{ data: KeyJson[] }>('/api/v1/keys'));
  const [secret, setSecret] = useState<{ title: string; secret: string }>();
  const onSecret = (title: string, value: string) => setSecret({ title, secret: value });
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Keys</h1>
      {secret ? <SecretPanel {...secret} onDone={() => setSecret(undefined)} /> : null}
      <CreateKeyForm api={api} onCreated={(name, value) => (onSecret(`Secret for ${name}`, value), keys.reload())} />
      {keys.error ? <p role="alert">{keys.error}</p> : null}
      <table>
        <caption>API keys ({keys.data?.data.length ?? 0})</caption>
        <thead>
          <tr>
            <th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Scopes</th><th scope="col">Models</th><th scope="col">Tier</th>
            <th scope="col">Status</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {keys.data?.data.map((item) => <KeyRow key={item.id} api={api} item={item} onChanged={keys.reload} onSecret={onSecret} />)}
        </tbody>
      </table>
    </section>
  );
}
