import { randomIdPart } from '../shared/random-id.js';
import type { ItemIdPrefix } from './response-object.js';

// Ids shaped like OpenAI's (prefix + random [A-Za-z0-9]); the one impure helper the HTTP layer injects.

export const newResponseId = (): string => `resp_${randomIdPart()}${randomIdPart()}`;
export const newItemId = (prefix: ItemIdPrefix | 'cmp'): string => `${prefix}_${randomIdPart()}${randomIdPart()}`;
