// A fine-tune job and its life cycle: queued → running → succeeded | failed | cancelled, each step recorded
// as a timestamped event. Pure: the clock is passed in.

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type TrainerName = 'modelfile' | 'adapter';

export interface JobEvent {
  at: string;
  status: JobStatus;
  message: string;
}

export interface FinetuneJob {
  id: string;
  status: JobStatus;
  /** 0..1 */
  progress: number;
  trainer: TrainerName;
  baseModel: string;
  /** The model the job creates. */
  model: string;
  trainingData: string;
  trainingExamples: number;
  hyperparams: Record<string, unknown>;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  events: JobEvent[];
}

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** Events kept per job: the first ones (what was decided) and the latest, so a chatty trainer cannot grow a job without bound. */
const MAX_EVENTS = 200;

export type NewJob = Pick<FinetuneJob, 'id' | 'trainer' | 'baseModel' | 'model' | 'trainingData' | 'trainingExamples' | 'hyperparams'>;

export function createJob(fields: NewJob, now: Date): FinetuneJob {
  const at = now.toISOString();
  return {
    ...fields,
    status: 'queued',
    progress: 0,
    createdAt: at,
    startedAt: null,
    finishedAt: null,
    error: null,
    events: [{ at, status: 'queued', message: `Queued: ${fields.trainer} trainer, ${fields.trainingExamples} examples, ${fields.baseModel} → ${fields.model}.` }],
  };
}

function appendEvent(events: JobEvent[], event: JobEvent): JobEvent[] {
  const next = [...events, event];
  return next.length <= MAX_EVENTS ? next : [...next.slice(0, 10), ...next.slice(next.length - (MAX_EVENTS - 10))];
}

/** Records a message; `progress` only moves forward. */
export function withEvent(job: FinetuneJob, message: string, now: Date, progress?: number): FinetuneJob {
  const next = { ...job, events: appendEvent(job.events, { at: now.toISOString(), status: job.status, message }) };
  if (progress !== undefined) next.progress = Math.min(1, Math.max(job.progress, progress));
  return next;
}

/** Moves the job to a new status; leaving a terminal status is a bug, so it is refused. */
export function transition(job: FinetuneJob, status: JobStatus, message: string, now: Date): FinetuneJob {
  if (TERMINAL_STATUSES.has(job.status)) throw new Error(`job ${job.id} is already ${job.status}`);
  const at = now.toISOString();
  const next: FinetuneJob = { ...job, status, events: appendEvent(job.events, { at, status, message }) };
  if (status === 'running') next.startedAt = at;
  if (TERMINAL_STATUSES.has(status)) next.finishedAt = at;
  if (status === 'succeeded') next.progress = 1;
  if (status === 'failed') next.error = message;
  return next;
}
