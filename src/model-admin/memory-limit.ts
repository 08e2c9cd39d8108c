import { InvalidRequestError } from '../core/errors.js';

// `memory_limit` values: an amount ("8G", "512M", "1.5GiB", "300MB", plain bytes) or a share of the model's
// size ("50%"). Units are binary (1G = 1024³ bytes), as Ollama and llama.cpp report memory.

export type MemoryLimit = { kind: 'bytes'; bytes: number; text: string } | { kind: 'percent'; percent: number; text: string };

const UNIT_BYTES: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
const AMOUNT = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i;
const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;

export function parseMemoryLimit(text: string): MemoryLimit {
  const trimmed = text.trim();
  const percent = PERCENT.exec(trimmed);
  if (percent) return { kind: 'percent', percent: Number(percent[1]), text: trimmed };
  const amount = AMOUNT.exec(trimmed);
  if (!amount) {
    throw new InvalidRequestError(
      `memory_limit ${JSON.stringify(text)} is not a size such as "8G", "512M" or a share of the model such as "50%".`,
      'memory_limit',
    );
  }
  const unit = (amount[2] ?? '').toUpperCase();
  return { kind: 'bytes', bytes: Math.floor(Number(amount[1]) * UNIT_BYTES[unit]!), text: trimmed };
}

/** Bytes in the largest binary unit that keeps the number ≥ 1, one decimal: "4.4 GiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
