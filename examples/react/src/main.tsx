import { createPoller } from 'pollwise';
import { PollerProvider } from 'pollwise/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';

// One poller for the whole app. StrictMode mounts twice in development; the hooks keep one
// subscription, so it sends no extra request.
const poller = createPoller();

const root = document.getElementById('root');
if (root === null) throw new Error('#root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <PollerProvider poller={poller}>
      <App />
    </PollerProvider>
  </StrictMode>,
);
