import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidRequestError } from '../core/errors.js';
import type { ModelRuntime } from '../core/model-runtime.js';
import { runAdapterCommand } from './run-adapter-command.js';
import { reportCreateProgress, type Trainer, type TrainerContext, type TrainingInput } from './trainer.js';

// The `adapter` trainer: an operator-configured external command trains a LoRA adapter (Ollama cannot train
// weights), then the model is created from the base model plus that adapter. The command gets the job in env:
//   FINETUNE_JOB_ID, FINETUNE_BASE_MODEL, FINETUNE_MODEL, FINETUNE_TRAINING_FILE (validated chat JSONL),
//   FINETUNE_HYPERPARAMS (JSON), FINETUNE_OUTPUT_DIR (write the adapter file(s) here).
// A stdout line "progress: 0.4" (or "progress: 40%") moves the job's progress.

export interface AdapterTrainerOptions {
  runtime: ModelRuntime;
  /** Undefined: the trainer is not configured and jobs asking for it are refused. */
  command: string | undefined;
  timeoutMs: number;
  /** Parent of the per-job working directories. */
  workDir: string;
  /** Base environment of the command (the server's, minus its secrets). */
  env: Record<string, string | undefined>;
}

const PROGRESS_LINE = /^progress[:=]\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/i;

function commandProgress(line: string): number | undefined {
  const match = PROGRESS_LINE.exec(line.trim());
  if (!match) return undefined;
  const fraction = Number(match[1]) / (match[2] === '%' ? 100 : 1);
  return 0.05 + 0.75 * Math.min(1, fraction);
}

async function uploadAdapters(runtime: ModelRuntime, outputDir: string, ctx: TrainerContext): Promise<Record<string, string>> {
  const files = (await readdir(outputDir, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
  if (files.length === 0) throw new Error('the adapter command wrote no files to FINETUNE_OUTPUT_DIR');
  const adapters: Record<string, string> = {};
  for (const name of files.sort()) {
    adapters[name] = await runtime.uploadBlob(await readFile(join(outputDir, name)), ctx.signal);
    ctx.report(`Uploaded adapter file ${name} as ${adapters[name]}.`, 0.85);
  }
  return adapters;
}

export function createAdapterTrainer(options: AdapterTrainerOptions): Trainer {
  return {
    validate() {
      if (!options.command) {
        throw new InvalidRequestError('The adapter trainer is not configured on this server (FINETUNE_ADAPTER_COMMAND).', 'trainer');
      }
    },
    async train(input: TrainingInput, ctx: TrainerContext) {
      await mkdir(options.workDir, { recursive: true, mode: 0o700 });
      const dir = await mkdtemp(join(options.workDir, `${input.jobId}-`));
      try {
        const trainingFile = join(dir, 'training.jsonl');
        const outputDir = join(dir, 'out');
        await writeFile(trainingFile, input.examples.map((example) => JSON.stringify(example)).join('\n') + '\n');
        await mkdir(outputDir);
        ctx.report('Running the adapter command.', 0.05);
        await runAdapterCommand({
          command: options.command!,
          cwd: dir,
          env: {
            ...options.env,
            FINETUNE_JOB_ID: input.jobId,
            FINETUNE_BASE_MODEL: input.baseModel,
            FINETUNE_MODEL: input.model,
            FINETUNE_TRAINING_FILE: trainingFile,
            FINETUNE_HYPERPARAMS: JSON.stringify(input.hyperparams),
            FINETUNE_OUTPUT_DIR: outputDir,
          },
          signal: ctx.signal,
          timeoutMs: options.timeoutMs,
          onLine: (line) => ctx.report(`adapter command: ${line.slice(0, 500)}`, commandProgress(line)),
        });
        const adapters = await uploadAdapters(options.runtime, outputDir, ctx);
        const steps = options.runtime.createModel({ model: input.model, from: input.baseModel, adapters }, ctx.signal);
        await reportCreateProgress(steps, ctx, 0.9, 0.99);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
