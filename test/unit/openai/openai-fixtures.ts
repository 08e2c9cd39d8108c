import { readdirSync, readFileSync } from 'node:fs';

// Request → expected-canonical pairs in test/fixtures/openai, named <endpoint>-<scenario>.

const directory = new URL('../../fixtures/openai/', import.meta.url);

export interface FixturePair {
  scenario: string;
  request: unknown;
  expected: unknown;
}

export function loadFixturePairs(prefix: 'chat-' | 'completion-' | 'embedding-'): FixturePair[] {
  return readdirSync(directory)
    .filter((file) => file.startsWith(prefix) && file.endsWith('.request.json'))
    .map((file) => {
      const scenario = file.slice(0, -'.request.json'.length);
      return { scenario, request: readJson(`${scenario}.request.json`), expected: readJson(`${scenario}.expected.json`) };
    });
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, directory), 'utf8'));
}
