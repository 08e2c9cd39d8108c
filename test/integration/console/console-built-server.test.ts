import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../../src/http/routes/console.js';
import { startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { listeningUrl, runBuiltServer } from '../../helpers/run-built-server.js';

// The built server (`node dist/main.js`, built with the console by the global setup) serves dist/console at /console.
const KEY = 'sk-built-console-test-key';

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(() => fake.close());

describe('the console in the built server', () => {
  it('serves the page and its assets from dist/console, and the summary to an admin', async () => {
    const run = await runBuiltServer({ OLLAMA_URL: fake.url, MASTER_KEY: KEY }, /"listening"/);
    try {
      const url = listeningUrl(run)!;
      const page = await fetch(`${url}/console/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      const html = await page.text();
      for (const asset of html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)) {
        expect((await fetch(`${url}${asset[1]}`)).status).toBe(200);
      }
      expect([...html.matchAll(/"\/console\/assets\//g)]).toHaveLength(2);
      const summary = await fetch(`${url}/api/v1/metrics/summary`, { headers: { authorization: `Bearer ${KEY}` } });
      expect(summary.status).toBe(200);
    } finally {
      run.kill();
    }
  });
});
