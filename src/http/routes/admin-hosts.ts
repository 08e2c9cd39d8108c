import type { Request, Response } from 'express';

// GET /api/v1/hosts (scope admin): every Ollama host the proxy spreads requests over, as the fleet sees it
// right now (state, models, loaded models, in flight, latency, last error). The console renders the rows.

export interface HostsView {
  view(): readonly object[];
}

export function adminHostsRoute(hosts: HostsView) {
  return (_req: Request, res: Response): void => {
    res.json({ object: 'list', data: hosts.view() });
  };
}
