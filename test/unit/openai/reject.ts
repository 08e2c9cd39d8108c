import { InvalidRequestError } from '../../../src/core/errors.js';

/** Runs `convert` and returns the InvalidRequestError it must throw. */
export function rejection(convert: (body: unknown) => unknown, body: unknown): InvalidRequestError {
  try {
    convert(body);
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('expected the conversion to throw InvalidRequestError');
}
