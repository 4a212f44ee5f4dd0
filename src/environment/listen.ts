/**
 * Adds `listeners` (by event type) to `target` where it can listen (a browser's document or
 * window; nothing in Node or a worker without one); returns the function that removes them.
 */
export function listen(
  target: Partial<EventTarget> | undefined,
  listeners: Record<string, () => void>,
): () => void {
  if (typeof target?.addEventListener !== 'function') return () => {};
  for (const type in listeners) target.addEventListener(type, listeners[type] as () => void);
  return () => {
    for (const type in listeners) target.removeEventListener?.(type, listeners[type] as () => void);
  };
}
