// Type-checks README code blocks the way an app created with `npm create vite -- --template
// vanilla-ts` would compile them: that template's tsconfig, with `pollwise` mapped to src/.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { CodeBlock } from './markdown.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../');
const src = (path: string) => join(ROOT, 'src', path);

/**
 * Where the blocks are written, one directory per run so that concurrent runs never meet
 * (git-ignored; removed after the run unless KEEP_README_BLOCKS is set).
 */
export const BLOCKS_DIR = join(ROOT, 'test/docs/.readme-blocks');

/** The entries as an app imports them (frameworks resolve to their installed types). */
export const MODULE_PATHS: Record<string, string> = {
  pollwise: src('index.ts'),
  'pollwise/resource': src('resource/index.ts'),
  'pollwise/ky': src('ky/index.ts'),
  'pollwise/react': src('react/index.ts'),
  'pollwise/vue': src('vue/index.ts'),
  'pollwise/svelte': src('svelte/index.ts'),
};

/**
 * create-vite's `template-vanilla-ts/tsconfig.json` (Vite 6/7), except `types`: `vite/client` is
 * not installed here, and an empty list keeps @types/node out, as in a browser app.
 */
export const VANILLA_TS_TSCONFIG = {
  target: 'ES2022',
  useDefineForClassFields: true,
  module: 'ESNext',
  lib: ['ES2022', 'DOM', 'DOM.Iterable'],
  types: [] as string[],
  skipLibCheck: true,
  moduleResolution: 'bundler',
  allowImportingTsExtensions: true,
  verbatimModuleSyntax: true,
  moduleDetection: 'force',
  noEmit: true,
  strict: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  erasableSyntaxOnly: true,
  noFallthroughCasesInSwitch: true,
  noUncheckedSideEffectImports: true,
  // ```tsx blocks: what create-vite's react-ts template adds.
  jsx: 'react-jsx',
};

export function compilerOptions(): ts.CompilerOptions {
  const { options, errors } = ts.convertCompilerOptionsFromJson(
    {
      ...VANILLA_TS_TSCONFIG,
      paths: Object.fromEntries(Object.entries(MODULE_PATHS).map(([name, path]) => [name, [path]])),
    },
    ROOT,
  );
  if (errors.length > 0) throw new Error(ts.formatDiagnostics(errors, formatHost));
  return options;
}

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => ROOT,
  getNewLine: () => '\n',
};

export interface BlockProblem {
  /** README line of the problem. */
  line: number;
  message: string;
}

/** Lines (0-based) of `await` / `for await` outside any function. */
function topLevelAwaits(sourceFile: ts.SourceFile): number[] {
  const lines: number[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    const isAwait =
      ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined);
    if (isAwait) {
      lines.push(sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return lines;
}

/** The file name of a block: its README line, so that a failure points at it. */
const blockFile = (dir: string, block: CodeBlock) =>
  join(dir, `readme-line-${block.line}.${block.lang === 'tsx' ? 'tsx' : 'ts'}`);

/**
 * Writes every block to its own module and compiles them in one program. Returns each block's
 * problems by its fence line; diagnostics of src/ itself are not the README's business (src is
 * checked by `npm run typecheck` with the repo's own tsconfig).
 */
export function typeCheckBlocks(blocks: readonly CodeBlock[]): Map<number, BlockProblem[]> {
  mkdirSync(BLOCKS_DIR, { recursive: true });
  const dir = mkdtempSync(join(BLOCKS_DIR, 'run-'));
  const byFile = new Map<string, CodeBlock>();
  for (const block of blocks) {
    const file = blockFile(dir, block);
    writeFileSync(file, `${block.code}\n`);
    byFile.set(file, block);
  }
  const options = compilerOptions();
  const program = ts.createProgram({ rootNames: [...byFile.keys()], options });
  const problems = new Map<number, BlockProblem[]>(blocks.map((b) => [b.line, []]));
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  if (global.length > 0) throw new Error(ts.formatDiagnostics(global, formatHost));
  for (const [file, block] of byFile) {
    const sourceFile = program.getSourceFile(file);
    if (sourceFile === undefined) throw new Error(`not compiled: ${file}`);
    const diagnostics = [
      ...program.getSyntacticDiagnostics(sourceFile),
      ...program.getSemanticDiagnostics(sourceFile),
    ];
    for (const at of topLevelAwaits(sourceFile)) {
      problems.get(block.line)!.push({
        line: block.line + 1 + at,
        message:
          "top-level await: Vite's default build target before Vite 7 (es2020) rejects it; use an async function",
      });
    }
    for (const d of diagnostics) {
      const at = d.start === undefined ? 0 : sourceFile.getLineAndCharacterOfPosition(d.start).line;
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n    ');
      problems.get(block.line)!.push({
        line: block.line + 1 + at,
        message: `TS${d.code}: ${text}`,
      });
    }
  }
  if (process.env.KEEP_README_BLOCKS === undefined) rmSync(dir, { recursive: true, force: true });
  return problems;
}
