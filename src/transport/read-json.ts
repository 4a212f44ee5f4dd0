import { HttpError, UnexpectedResponseError } from '../errors.js';

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

/** The JSON data of a 2xx response; anything else is an HttpError. */
export function readData(response: Response, url: string): Promise<unknown> {
  if (!response.ok) return Promise.reject(new HttpError(url, response.status, response.headers));
  return readJson(response, url);
}
