import { UnexpectedResponseError } from '../errors.js';

/** Reads a JSON body; an empty or invalid one is an UnexpectedResponseError, not a SyntaxError. */
export async function readJson(response: Response, url: string): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new UnexpectedResponseError(
      url,
      response.status,
      text === '' ? 'empty body' : 'invalid JSON',
    );
  }
}
