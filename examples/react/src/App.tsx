import { usePoll } from 'pollwise/react';

/** What GET /api/status answers. */
interface Status {
  ok: boolean;
  /** The server's clock (epoch ms). */
  at: number;
  /** Requests the server has answered. */
  count: number;
}

export function App() {
  // A relative URL: on localhost it polls every second (pollwise's loopback default).
  const { status, data, error, updatedAt } = usePoll<Status>('/api/status');
  return (
    <main>
      <h1>pollwise + React</h1>
      <p>
        Poll: <span id="poll-state">{status}</span>
        {updatedAt !== null && <> · updated {new Date(updatedAt).toLocaleTimeString()}</>}
      </p>
      <p id="status" data-count={data?.count}>
        {data === undefined
          ? 'Loading…'
          : `Backend ${data.ok ? 'ok' : 'not ok'}, answer #${data.count} at ${new Date(data.at).toLocaleTimeString()}`}
      </p>
      {status === 'error' && <p id="error">Could not poll: {String(error)}</p>}
    </main>
  );
}
