import { useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { errorMessage, formatBytes, formatTime } from '../format.js';
import { useResource } from '../use-resource.js';

interface AdminModel {
  name: string;
  size_bytes: number | null;
  family: string | null;
  parameter_size: string | null;
  quantization: string | null;
  context_length: number | null;
  loaded: boolean;
  vram_bytes: number | null;
  expires_at: string | null;
}

interface ProgressLine {
  status: string;
  total?: number;
  completed?: number;
  error?: string;
  result?: {
    model: string;
    pulled: boolean;
    loaded: boolean;
    num_gpu: number | null;
    decision: { reason: string } | null;
    memory: { vram_bytes: number } | null;
  };
}

const percent = (line: ProgressLine) => (line.total ? Math.floor((100 * (line.completed ?? 0)) / line.total) : undefined);

function DeployForm({ api, onDone }: { api: Api; onDone(): void }) {
  const [lines, setLines] = useState<ProgressLine[]>([]);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string>();
  const last = lines.at(-1);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
    const body: Record<string, unknown> = { model_name: value('model_name'), load: (form.elements.namedItem('load') as HTMLInputElement).checked };
    if (value('memory_limit')) body.memory_limit = value('memory_limit');
    if (value('gpu_id')) body.gpu_id = Number(value('gpu_id'));
    if (value('keep_alive')) body.keep_alive = value('keep_alive');
    setLines([]);
    setError(undefined);
    setRunning(true);
    try {
      await api.stream('/api/v1/models', body, (line) => {
        const progress = line as unknown as ProgressLine;
        if (typeof progress.error === 'string') setError(progress.error);
        // Consecutive lines of one layer replace each other; a new status starts a new log entry.
        setLines((current) => (current.at(-1)?.status === progress.status ? [...current.slice(0, -1), progress] : [...current, progress]));
      });
      onDone();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setRunning(false);
    }
  };
  const share = last ? percent(last) : undefined;
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="deploy-title">
      <h2 id="deploy-title">Pull or load a model</h2>
      <label for="model-name">Model</label>
      <input id="model-name" name="model_name" required placeholder="deepseek-r1:7b" />
      <label class="check">
        <input type="checkbox" name="load" defaultChecked />
        Load it after pulling
      </label>
      <label for="memory-limit">Memory limit (e.g. 8G, 512M, 50%)</label>
      <input id="memory-limit" name="memory_limit" />
      <label for="gpu-id">GPU id</label>
      <input id="gpu-id" name="gpu_id" type="number" min={0} inputMode="numeric" />
      <label for="keep-alive">Keep alive (e.g. 10m, -1)</label>
      <input id="keep-alive" name="keep_alive" />
      <button type="submit" disabled={running}>
        {running ? 'Working…' : 'Pull / load'}
      </button>
      {lines.length > 0 ? (
        <div class="progress" aria-labelledby="progress-title">
          <h3 id="progress-title">Progress</h3>
          <progress max={100} value={share ?? (last?.status === 'done' ? 100 : undefined)} aria-label="Pull progress">
            {share ?? 0}%
          </progress>
          <ol aria-live="polite" data-testid="pull-log">
            {lines.map((line, i) => (
              <li key={i}>
                {line.status === 'done' && line.result ? (
                  <>
                    {`done: ${line.result.model} ${line.result.pulled ? 'pulled' : 'already installed'}, ${line.result.loaded ? 'loaded' : 'not loaded'}`}
                    {line.result.decision ? <span class="hint"> ({line.result.decision.reason})</span> : null}
                  </>
                ) : (
                  `${line.status}${percent(line) === undefined ? '' : ` ${percent(line)}%`}`
                )}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
    </form>
  );
}

interface HostList {
  data: Record<string, unknown>[];
}

/** GET /api/v1/hosts exists only on fleet-enabled servers; a 404 hides the panel. */
function HostsPanel({ api }: { api: Api }) {
  const hosts = useResource(() => api.optional<HostList>('/api/v1/hosts'));
  if (!hosts.data) return hosts.error ? <p role="alert">Hosts: {hosts.error}</p> : null;
  const rows = hosts.data.data;
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row).filter((key) => typeof row[key] !== 'object' || row[key] === null)))];
  return (
    <table>
      <caption>Hosts ({rows.length})</caption>
      <thead>
        <tr>{columns.map((column) => <th key={column} scope="col">{column.replaceAll('_', ' ')}</th>)}</tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>{columns.map((column) => <td key={column}>{row[column] === undefined || row[column] === null ? '—' : String(row[column])}</td>)}</tr>
        ))}
      </tbody>
    </table>
  );
}

export function ModelsPage({ api }: { api: Api }) {
  const models = useResource(() => api.get<{ data: AdminModel[] }>('/api/v1/models'));
  const [error, setError] = useState<string>();
  const unload = async (name: string) => {
    try {
      await api.send('DELETE', `/api/v1/models/${name.split('/').map(encodeURIComponent).join('/')}`);
      setError(undefined);
      models.reload();
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Models and hosts</h1>
      <HostsPanel api={api} />
      <DeployForm api={api} onDone={models.reload} />
      {models.error ? <p role="alert">{models.error}</p> : null}
      {error ? <p role="alert">{error}</p> : null}
      <table>
        <caption>Installed models ({models.data?.data.length ?? 0}, {models.data?.data.filter((m) => m.loaded).length ?? 0} loaded)</caption>
        <thead>
          <tr>
            <th scope="col">Model</th><th scope="col">Size</th><th scope="col">Family</th><th scope="col">Parameters</th><th scope="col">Quantization</th>
            <th scope="col">Context</th><th scope="col">Loaded</th><th scope="col">VRAM</th><th scope="col">Unloads at</th><th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {models.data?.data.map((model) => (
            <tr key={model.name} data-model={model.name}>
              <th scope="row">{model.name}</th>
              <td>{formatBytes(model.size_bytes)}</td>
              <td>{model.family ?? '—'}</td>
              <td>{model.parameter_size ?? '—'}</td>
              <td>{model.quantization ?? '—'}</td>
              <td>{model.context_length ?? '—'}</td>
              <td data-column="loaded">{model.loaded ? 'yes' : 'no'}</td>
              <td>{formatBytes(model.vram_bytes)}</td>
              <td>{formatTime(model.expires_at)}</td>
              <td>
                {model.loaded ? (
                  <button type="button" class="secondary" onClick={() => unload(model.name)}>
                    Unload<span class="visually-hidden"> {model.name}</span>
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
