import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.js';
import { appendPoint, recentSnapshots, toPoint, type Point, type SummaryWire } from './metrics-history.js';

export const POLL_MS = 2_000;

export interface MetricsFeed {
  latest: SummaryWire | undefined;
  /** The last hour, kept by this tab since sign-in (the server keeps no history). */
  points: Point[];
  /** Rates and quantiles over about the last minute (undefined until two snapshots exist). */
  lastMinute: Point | undefined;
  recent: SummaryWire[];
  error: string | undefined;
}

const EMPTY: MetricsFeed = { latest: undefined, points: [], lastMinute: undefined, recent: [], error: undefined };

/** Polls the metrics summary while signed in, on every page, so the overview's charts keep filling. */
export function useMetricsFeed(api: Api | null): MetricsFeed {
  const [feed, setFeed] = useState<MetricsFeed>(EMPTY);
  useEffect(() => {
    if (!api) return;
    setFeed(EMPTY);
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await api.get<SummaryWire>('/api/v1/metrics/summary');
        if (stopped) return;
        setFeed((current) => {
          const recent = recentSnapshots(current.recent, next);
          return {
            latest: next,
            points: current.latest ? appendPoint(current.points, toPoint(current.latest, next)) : current.points,
            lastMinute: recent.length > 1 ? toPoint(recent[0]!, next) : undefined,
            recent,
            error: undefined,
          };
        });
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
