import { describe, expect, it } from 'vitest';
import { InvalidRequestError, ModelNotFoundError, RateLimitError, UpstreamTimeoutError } from '../../../src/core/errors.js';
import { toOpenAIError } from '../../../src/openai/to-openai-error.js';
import { validateOpenAI } from '../../helpers/openai-schema.js';

describe('toOpenAIError', () => {
  it.each([
    [new InvalidRequestError("Invalid 'n': n > 1 is not supported.", 'n'), { type: 'invalid_request_error', code: 'invalid_value', param: 'n' }],
    [new ModelNotFoundError('nope'), { type: 'invalid_request_error', code: 'model_not_found', param: 'model' }],
    [new RateLimitError('slow down', 3), { type: 'requests', code: 'rate_limit_exceeded', param: null }],
    [new UpstreamTimeoutError(), { type: 'api_error', code: 'upstream_timeout', param: null }],
  ])('renders %s with all four keys', (error, expected) => {
    const body = toOpenAIError(error);
    expect(validateOpenAI('ErrorResponse', body)).toEqual([]);
    expect(body).toEqual({ error: { message: error.message, ...expected } });
  });
});
