import { useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { errorMessage } from '../format.js';
import { useResource } from '../use-resource.js';

export function SettingsPage({ api }: { api: Api }) {
  const logs = useResource(() => api.get<{ level: string; levels: string[] }>('/api/v1/logs'));
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    const level = ((event.currentTarget as HTMLFormElement).elements.namedItem('level') as HTMLSelectElement).value;
    try {
      const changed = await api.send<{ level: string; previous: string }>('PUT', '/api/v1/logs', { level });
      setError(undefined);
      setStatus(`Log level changed from ${changed.previous} to ${changed.level}.`);
      logs.reload();
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Settings</h1>
      {logs.error ? <p role="alert">{logs.error}</p> : null}
      {logs.data ? (
        <form class="panel" onSubmit={submit} aria-labelledby="log-title">
          <h2 id="log-title">Log level</h2>
          <p>
            Current level: <strong data-testid="log-level">{logs.data.level}</strong>. A change applies to the running server at once and
            lasts until it restarts.
          </p>
          <label for="log-level">New level</label>
          <select id="log-level" name="level" key={logs.data.level} defaultValue={logs.data.level}>
            {logs.data.levels.map((level) => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
          <button type="submit">Apply</button>
          <p role="status">{status}</p>
          {error ? <p role="alert">{error}</p> : null}
        </form>
      ) : null}
    </section>
  );
}
