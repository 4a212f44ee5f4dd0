// `npm run playground`: the page on http://127.0.0.1:$PORT/ (default 5173), its backend in the
// same process, and the cross-origin API on $API_PORT (default PORT + 1).
import { startPlayground } from './server/playground-server.js';

const port = readPort('PORT', 5173);
// The API port follows the page's (a free one when PORT=0), unless API_PORT says otherwise.
const apiPort = readPort('API_PORT', port === 0 ? 0 : port + 1);
if (apiPort > 65_535) {
  console.error(`PORT ${port} leaves no room for the API on ${apiPort}: set API_PORT`);
  process.exit(1);
}
const playground = await startPlayground({ port, apiPort }).catch(
  (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE' && !/already in use/.test(error.message)) throw error;
    console.error(
      `Port ${port} or ${apiPort} is in use: set PORT (and API_PORT), e.g. PORT=5180 npm run playground`,
    );
    process.exit(1);
  },
);
console.log(`\n  pollwise playground: ${playground.url}`);
console.log(`  cross-origin API:    ${playground.apiOrigin}\n`);

const stop = () => {
  void playground.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

function readPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    console.error(`${name} must be a port number (0 to 65535), got ${JSON.stringify(raw)}`);
    process.exit(1);
  }
  return value;
}
