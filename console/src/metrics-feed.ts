import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.js';
import { appendPoint, toPoint, type Point, type SummaryWire } from './metrics-history.js';

export const POLL_MS = 2_000;

export interface MetricsFeed {
  latest: SummaryWire | undefined;
  /** The last hour, kept by this tab since sign-in (the server keeps no history). */
  points: Point[];
  error: string | undefined;
}

/** Polls the metrics summary while signed in, on every page, so the overview's charts keep filling. */
export function useMetricsFeed(api: Api | null): MetricsFeed {
  const [feed, setFeed] = useState<MetricsFeed>({ latest: undefined, points: [], error: undefined });
  useEffect(() => {
    if (!api) return;
    setFeed({ latest: undefined, points: [], error: undefined });
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await api.get<SummaryWire>('/api/v1/metrics/summary');
        if (stopped) return;
        setFeed((current) => ({
          latest: next,
          points: current.latest ? appendPoint(current.points, toPoint(current.latest, next)) : current.points,
          error: undefined,
        }));
      } catch (error) {
        if (!stopped) setFeed((current) => ({ ...current, error: String(error) }));
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api]);
  return feed;
}
