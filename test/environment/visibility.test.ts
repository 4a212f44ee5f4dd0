// The default visibility source outside a real browser: a stubbed `document` (an EventTarget
// with a visibilityState). The real-page proof is test/browser/visibility.chromium.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { documentVisibility } from '../../src/environment/visibility.js';
import { onCleanup } from '../support/cleanup.js';

/** A `document` whose visibilityState is `state`; `fire()` dispatches a page event on it. */
function stubDocument(state: 'visible' | 'hidden') {
  const doc = Object.assign(new EventTarget(), { visibilityState: state });
  const added: string[] = [];
  const add = doc.addEventListener.bind(doc);
  const remove = doc.removeEventListener.bind(doc);
  doc.addEventListener = (type: string, listener: EventListenerOrEventListenerObject | null) => {
    added.push(type);
    add(type, listener);
  };
  doc.removeEventListener = (type: string, listener: EventListenerOrEventListenerObject | null) => {
    added.splice(added.indexOf(type), 1);
    remove(type, listener);
  };
  vi.stubGlobal('document', doc);
  onCleanup(() => vi.unstubAllGlobals());
  return {
    added,
    fire(type: string, next?: 'visible' | 'hidden') {
      if (next !== undefined) doc.visibilityState = next;
      doc.dispatchEvent(new Event(type));
    },
  };
}

describe('documentVisibility()', () => {
  it('reports visibilitychange transitions; freeze counts as hidden until resume', () => {
    const doc = stubDocument('visible');
    const source = documentVisibility();
    const heard: boolean[] = [];
    const stop = source.subscribe((visible) => heard.push(visible));
    expect(doc.added.sort()).toEqual(['freeze', 'resume', 'visibilitychange']);
    doc.fire('visibilitychange', 'hidden');
    expect(source.isVisible()).toBe(false);
    doc.fire('freeze'); // frozen while hidden: no change
    doc.fire('visibilitychange', 'visible'); // still frozen: no change
    expect(source.isVisible()).toBe(false);
    doc.fire('resume');
    expect(source.isVisible()).toBe(true);
    doc.fire('freeze');
    expect(heard).toEqual([false, true, false]);
    stop();
    expect(doc.added).toEqual([]);
    // Unsubscribed: a frozen page is forgotten, and events are no longer heard.
    expect(source.isVisible()).toBe(true);
    doc.fire('visibilitychange', 'hidden');
    expect(heard).toEqual([false, true, false]);
  });

  it('without a document the page is visible and subscribe() attaches nothing', () => {
    vi.stubGlobal('document', undefined);
    onCleanup(() => vi.unstubAllGlobals());
    const source = documentVisibility();
    expect(source.isVisible()).toBe(true);
    const stop = source.subscribe(() => {});
    expect(() => stop()).not.toThrow();
  });
});
