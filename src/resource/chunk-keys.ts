/**
 * Splits keys into batches of at most `maxSize`; with `urlFor`, a batch also stops growing
 * before its URL passes `maxUrlLength` (GET batches: a 414 helps nobody). A single key whose
 * URL is too long still gets its own batch: the server decides.
 */
export function chunkKeys<K>(
  keys: readonly K[],
  maxSize: number,
  urlFor?: (keys: readonly K[]) => string,
  maxUrlLength = Number.POSITIVE_INFINITY,
): K[][] {
  const chunks: K[][] = [];
  let chunk: K[] = [];
  for (const key of keys) {
    const fits =
      chunk.length < maxSize &&
      (urlFor === undefined ||
        chunk.length === 0 ||
        urlFor([...chunk, key]).length <= maxUrlLength);
    if (!fits) {
      chunks.push(chunk);
      chunk = [];
    }
    chunk.push(key);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
