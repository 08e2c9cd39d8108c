import { InvalidRequestError } from '../core/errors.js';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** Parses '15m', '72h', '30d', '3600s', '2w' or '500ms' into milliseconds. */
export function parseDuration(text: string, param: string | null = null): number {
  const match = /^(\d+)\s*(ms|s|m|h|d|w)$/i.exec(text.trim());
  if (!match) {
    throw new InvalidRequestError(
      `Invalid duration '${text}': use a whole number with a unit, e.g. 15m, 72h, 30d, 3600s.`,
      param,
    );
  }
  const amount = Number(match[1]);
  const unit = match[2]!.toLowerCase() as Unit;
  const ms = amount * UNIT_MS[unit];
  if (ms <= 0 || !Number.isSafeInteger(ms)) {
    throw new InvalidRequestError(`Invalid duration '${text}': it must be greater than zero.`, param);
  }
  return ms;
}

