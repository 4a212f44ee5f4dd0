// ky is ESM-only: a CommonJS declaration file may only import its types with
// `resolution-mode: 'import'`, or node16 CJS consumers fail to resolve them (attw, tsc TS1479).
// Every dist/*.d.cts is fixed (a shared declaration chunk may import ky too), and the build
// fails if an import of ky is left in a form this script does not know.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = 'dist';
const plain = /^import (?:type )?(\{[^}]*\}) from ['"]ky['"];$/gm;
const leftover = /^(?:import|export)\b[^;]*\bfrom ['"]ky['"](?!\s*with\b)[^;]*;$/m;

let failed = false;
for (const name of readdirSync(dir).filter((file) => file.endsWith('.d.cts'))) {
  const file = path.join(dir, name);
  const source = readFileSync(file, 'utf8');
  const fixed = source.replace(
    plain,
    "import type $1 from 'ky' with { 'resolution-mode': 'import' };",
  );
  if (fixed !== source) writeFileSync(file, fixed);
  const rest = leftover.exec(fixed);
  if (rest !== null) {
    console.error(`${file}: an import of ky without resolution-mode: ${rest[0]}`);
    failed = true;
  }
}
if (failed) process.exit(1);
