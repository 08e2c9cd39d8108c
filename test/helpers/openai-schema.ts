import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

// JSON Schemas of OpenAI response objects (copied from the shared reference so tests stand alone).

const schemaDocument: { $id: string; $defs: Record<string, unknown> } = JSON.parse(
  readFileSync(new URL('../fixtures/openai-schemas.json', import.meta.url), 'utf8'),
);
const ajv = new Ajv2020({ allErrors: true });
ajv.addSchema(schemaDocument);

/** Validation errors of `value` against `$defs/<defName>`; empty when valid. Unknown def names throw. */
export function validateOpenAI(defName: string, value: unknown): string[] {
  if (!(defName in schemaDocument.$defs)) throw new Error(`no schema named ${defName} in openai-schemas.json`);
  const validate = ajv.getSchema(`${schemaDocument.$id}#/$defs/${defName}`);
  if (!validate) throw new Error(`schema ${defName} did not compile`);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
}
