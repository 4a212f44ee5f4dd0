import { listen } from './listen.js';

/** Whether the page is visible, and a way to hear when that changes. */
export interface VisibilitySource {
  isVisible(): boolean;
  /** Returns a function that removes the listener. */
  subscribe(onChange: (visible: boolean) => void): () => void;
}

/**
 * The browser's Page Visibility state, plus Page Lifecycle `freeze`/`resume` where they exist
 * (a frozen page counts as hidden). Without a `document` (Node, workers) the page is visible.
 * Listeners attach on subscribe, never at import.
 */
export function documentVisibility(): VisibilitySource {
  let frozen = false;
  const doc = (): Document | undefined => (globalThis as { document?: Document }).document;
  const isVisible = () => !frozen && doc()?.visibilityState !== 'hidden';
  return {
    isVisible,
    subscribe(onChange) {
      let last = isVisible();
      // freeze/resume of a page that stays hidden is no change: report transitions only.
      const changed = () => {
        const visible = isVisible();
        if (visible === last) return;
        last = visible;
        onChange(visible);
      };
      const freeze = (value: boolean) => () => {
        frozen = value;
        changed();
      };
      // visibilitychange, not focus: focus fires on iframes, dialogs and devtools.
      const stop = listen(doc(), {
        visibilitychange: changed,
        freeze: freeze(true),
        resume: freeze(false),
      });
      return () => {
        stop();
        frozen = false;
      };
    },
  };
}

/** A page that is always visible: use it to disable visibility gating. */
export const alwaysVisible: VisibilitySource = Object.freeze({
  isVisible: () => true,
  subscribe: () => () => {},
});
