// ky is ESM-only: a CommonJS declaration file may only import its types with
// `resolution-mode: 'import'`, or node16 CJS consumers fail to resolve them (attw, tsc).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

for (const file of ['dist/ky.d.cts']) {
  if (!existsSync(file)) continue;
  const source = readFileSync(file, 'utf8');
  const fixed = source.replace(
    /^import (\{[^}]*\}) from 'ky';$/m,
    "import type $1 from 'ky' with { 'resolution-mode': 'import' };",
  );
  writeFileSync(file, fixed);
}
