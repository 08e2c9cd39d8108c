import { useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { formatTime } from '../format.js';
import { useResource } from '../use-resource.js';
import type { KeyJson } from './keys.js';

interface AuditEntry {
  at: string;
  key_id: string | null;
  route: string;
  model: string | null;
  status: number;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  latency_ms: number;
  request_id: string;
  client_ip: string | null;
}

interface Filters {
  key_id?: string;
  status?: string;
  from?: string;
  to?: string;
  route: string;
}

/** datetime-local gives local time without a zone; the API wants an ISO time with one. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function AuditPage({ api }: { api: Api }) {
  const [filters, setFilters] = useState<Filters>({ route: '' });
  const keys = useResource(() => api.get<{ data: KeyJson[] }>('/api/v1/keys'));
  const entries = useResource(
    () => api.get<{ data: AuditEntry[] }>('/api/v1/audit', { key_id: filters.key_id, status: filters.status, from: filters.from, to: filters.to, limit: '200' }),
    [filters.key_id, filters.status, filters.from, filters.to],
  );
  const keyName = (id: string | null) => (id === null ? '—' : (keys.data?.data.find((key) => key.id === id)?.name ?? id));
  // The audit API filters by key, status and time; the route filter narrows what it returned.
  const shown = (entries.data?.data ?? []).filter((entry) => entry.route.includes(filters.route));

  const apply = (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value.trim();
    const next: Filters = { route: value('route') };
    if (value('key_id')) next.key_id = value('key_id');
    if (value('status')) next.status = value('status');
    const from = toIso(value('from'));
    const to = toIso(value('to'));
    if (from) next.from = from;
    if (to) next.to = to;
    setFilters(next);
    entries.reload();
  };

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Audit log</h1>
      <form class="filters" onSubmit={apply} aria-label="Audit filters">
        <label>
          Key
          <select name="key_id">
            <option value="">Any key</option>
            {keys.data?.data.map((key) => (
              <option key={key.id} value={key.id}>
                {key.name} ({key.prefix})
              </option>
            ))}
          </select>
        </label>
        <label>
          Route contains
          <input name="route" placeholder="/v1/chat/completions" />
        </label>
        <label>
          Status
          <input name="status" type="number" min={100} max={599} inputMode="numeric" />
        </label>
        <label>
          From
          <input name="from" type="datetime-local" />
        </label>
        <label>
          To
          <input name="to" type="datetime-local" />
        </label>
        <button type="submit">Apply filters</button>
      </form>
      {entries.error ? <p role="alert">{entries.error}</p> : null}
      <table>
        <caption>
          Requests, newest first ({shown.length}
          {entries.loading ? ', loading…' : ''})
        </caption>
        <thead>
          <tr>
            <th scope="col">Time</th><th scope="col">Key</th><th scope="col">Route</th><th scope="col">Model</th><th scope="col">Status</th>
            <th scope="col">Tokens in/out</th><th scope="col">Latency</th><th scope="col">Request id</th><th scope="col">Client</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((entry) => (
            <tr key={entry.request_id + entry.at} data-route={entry.route} data-status={entry.status}>
              <td>{formatTime(entry.at)}</td>
              <td>{keyName(entry.key_id)}</td>
              <td><code>{entry.route}</code></td>
              <td>{entry.model ?? '—'}</td>
              <td>{entry.status}</td>
              <td>{entry.prompt_tokens ?? '—'} / {entry.completion_tokens ?? '—'}</td>
              <td>{entry.latency_ms} ms</td>
              <td><code>{entry.request_id}</code></td>
              <td>{entry.client_ip ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
