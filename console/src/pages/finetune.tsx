import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { errorMessage, formatTime } from '../format.js';
import { useResource } from '../use-resource.js';

interface JobJson {
  task_id: string;
  status: string;
  progress: number;
  trainer: string;
  base_model: string;
  model: string;
  training_examples: number;
  created_at: string;
  finished_at: string | null;
  error: string | null;
  events?: { at: string; status: string; message: string }[];
}

const ACTIVE = new Set(['queued', 'running']);

export function FinetunePage({ api }: { api: Api }) {
  const jobs = useResource(() => api.get<{ data: JobJson[] }>('/api/v1/finetune'));
  const [selected, setSelected] = useState<JobJson>();
  const [error, setError] = useState<string>();
  const path = (id: string) => `/api/v1/finetune/${encodeURIComponent(id)}`;
  // While a job is queued or running, the list (and the events shown) refresh every 2 s.
  useEffect(() => {
    if (!jobs.data?.data.some((job) => ACTIVE.has(job.status))) return;
    const timer = setTimeout(jobs.reload, 2_000);
    return () => clearTimeout(timer);
  }, [jobs.data]);
  useEffect(() => {
    if (selected) void run(async () => setSelected(await api.get<JobJson>(path(selected.task_id))));
  }, [jobs.data]);
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
      <h1 id="page-title">Fine-tune jobs</h1>
      {jobs.error ? <p role="alert">{jobs.error}</p> : null}
      {error ? <p role="alert">{error}</p> : null}
      <button type="button" class="secondary" onClick={jobs.reload}>Refresh</button>
      <table>
        <caption>Jobs ({jobs.data?.data.length ?? 0})</caption>
        <thead>
          <tr>
            <th scope="col">Job</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Base model</th><th scope="col">New model</th>
            <th scope="col">Examples</th><th scope="col">Created</th><th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {jobs.data?.data.map((job) => (
            <tr key={job.task_id}>
              <th scope="row"><code>{job.task_id}</code></th>
              <td>{job.status}</td>
              <td><progress max={1} value={job.progress} aria-label={`Progress of ${job.task_id}`} /> {Math.round(job.progress * 100)}%</td>
              <td>{job.base_model}</td>
              <td>{job.model}</td>
              <td>{job.training_examples}</td>
              <td>{formatTime(job.created_at)}</td>
              <td class="actions">
                <button type="button" class="secondary" onClick={() => run(async () => setSelected(await api.get<JobJson>(path(job.task_id))))}>
                  Events<span class="visually-hidden"> of {job.task_id}</span>
                </button>
                {ACTIVE.has(job.status) ? (
                  <button type="button" class="danger" onClick={() => run(async () => (await api.send('POST', `${path(job.task_id)}/cancel`), jobs.reload()))}>
                    Cancel<span class="visually-hidden"> {job.task_id}</span>
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected ? (
        <section class="panel" aria-labelledby="events-title">
          <h2 id="events-title">Events of {selected.task_id} ({selected.status})</h2>
          {selected.error ? <p role="alert">{selected.error}</p> : null}
          <ol>
            {(selected.events ?? []).map((event, i) => (
              <li key={i}>
                <time dateTime={event.at}>{formatTime(event.at)}</time> <strong>{event.status}</strong> {event.message}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </section>
  );
}
