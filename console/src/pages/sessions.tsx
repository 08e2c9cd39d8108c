import { useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { errorMessage } from '../format.js';
import { useResource } from '../use-resource.js';

interface SessionJson {
  session_id: string;
  owner: string;
  strategy: string;
  memory_size: number;
  window_size: number;
  state: { turns: number; messages: number; estimated_tokens: number; summary: string | null; summarized_turns: number; model: string | null };
  created_at: number;
  updated_at: number;
}

const time = (seconds: number) => new Date(seconds * 1000).toLocaleString();

function SessionDetail({ session }: { session: SessionJson }) {
  return (
    <section class="panel" aria-labelledby="session-title">
      <h2 id="session-title">Session {session.session_id}</h2>
      <dl class="details">
        <dt>Owner (key id)</dt><dd>{session.owner}</dd>
        <dt>Strategy</dt><dd>{session.strategy} (memory {session.memory_size}, window {session.window_size} tokens)</dd>
        <dt>Turns / messages</dt><dd>{session.state.turns} / {session.state.messages}</dd>
        <dt>Estimated tokens carried</dt><dd>{session.state.estimated_tokens}</dd>
        <dt>Summarized turns</dt><dd>{session.state.summarized_turns}</dd>
        <dt>Summary</dt><dd>{session.state.summary ?? '—'}</dd>
        <dt>Model</dt><dd>{session.state.model ?? '—'}</dd>
        <dt>Created / updated</dt><dd>{time(session.created_at)} / {time(session.updated_at)}</dd>
      </dl>
    </section>
  );
}

export function SessionsPage({ api }: { api: Api }) {
  const sessions = useResource(() => api.get<{ data: SessionJson[] }>('/api/v1/sessions'));
  const [selected, setSelected] = useState<SessionJson>();
  const [error, setError] = useState<string>();
  const path = (id: string) => `/api/v1/sessions/${encodeURIComponent(id)}`;
  const run = async (work: () => Promise<void>) => {
    try {
      await work();
      setError(undefined);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Sessions</h1>
      <p class="hint">Conversations kept by X-Session-Id that this server instance has seen since it started.</p>
      {sessions.error ? <p role="alert">{sessions.error}</p> : null}
      {error ? <p role="alert">{error}</p> : null}
      <table>
        <caption>Sessions ({sessions.data?.data.length ?? 0})</caption>
        <thead>
          <tr>
            <th scope="col">Session</th><th scope="col">Owner</th><th scope="col">Turns</th><th scope="col">Tokens</th><th scope="col">Model</th>
            <th scope="col">Updated</th><th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {sessions.data?.data.map((session) => (
            <tr key={session.session_id} data-session={session.session_id}>
              <th scope="row"><code>{session.session_id}</code></th>
              <td>{session.owner}</td>
              <td>{session.state.turns}</td>
              <td>{session.state.estimated_tokens}</td>
              <td>{session.state.model ?? '—'}</td>
              <td>{time(session.updated_at)}</td>
              <td class="actions">
                <button type="button" class="secondary" onClick={() => run(async () => setSelected(await api.get<SessionJson>(path(session.session_id))))}>
                  Inspect<span class="visually-hidden"> {session.session_id}</span>
                </button>
                <button
                  type="button"
                  class="danger"
                  onClick={() =>
                    run(async () => {
                      await api.send('DELETE', path(session.session_id));
                      if (selected?.session_id === session.session_id) setSelected(undefined);
                      sessions.reload();
                    })
                  }
                >
                  Delete<span class="visually-hidden"> {session.session_id}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected ? <SessionDetail session={selected} /> : null}
    </section>
  );
}
