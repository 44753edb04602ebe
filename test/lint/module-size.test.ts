/**
 * Modules a person can read in one sitting: no source file in functions/, infra/ or local/ over
 * 400 lines, and no function (declaration, method, arrow or constructor) over 80 lines. A
 * closure-style factory counts as one function, so a service written as one big closure fails
 * here until its operations become named functions.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

type FunctionLike =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.ArrowFunction
  | ts.FunctionExpression
  | ts.ConstructorDeclaration;

const isFunctionLike = (node: ts.Node): node is FunctionLike =>
  ts.isFunctionDeclaration(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isArrowFunction(node) ||
  ts.isFunctionExpression(node) ||
  ts.isConstructorDeclaration(node);

function nameOf(node: FunctionLike): string {
  if (ts.isConstructorDeclaration(node)) {
    const owner = node.parent;
    return `constructor of ${ts.isClassLike(owner) ? (owner.name?.text ?? 'a class') : 'a class'}`;
  }
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText();
  return '(anonymous)';
}

/** Every file and function over its limit: `path` or `path#name`, with its length in lines. */
function oversized(maxFileLines: number, maxFunctionLines: number): Map<string, number> {
  const found = new Map<string, number>();
  for (const dir of ['functions', 'infra', 'local']) {
    for (const file of sourceFiles(join(root, dir))) {
      const path = relative(root, file);
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n').length;
      if (lines > maxFileLines) found.set(path, lines);
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line;
      const visit = (node: ts.Node) => {
        if (isFunctionLike(node)) {
          const length = lineOf(node.getEnd()) - lineOf(node.getStart()) + 1;
          if (length > maxFunctionLines) found.set(`${path}#${nameOf(node)}`, length);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  return found;
}

describe('module size', () => {
  const found = oversized(MAX_FILE_LINES, MAX_FUNCTION_LINES);

  it(`keeps files under ${MAX_FILE_LINES} lines and functions under ${MAX_FUNCTION_LINES}`, () => {
    const over = [...found].map(([name, lines]) => `${name} (${lines} lines)`);
    expect(over).toEqual([]);
  });

  it('measures every file and function (a scan that sees nothing would prove nothing)', () => {
    const everything = oversized(0, 0);
    expect(everything.get('functions/shared/env.ts#loadEnv')).toBeGreaterThan(5);
    expect(everything.get('local/cloud.ts')).toBeGreaterThan(50);
    expect(everything.size).toBeGreaterThan(500);
  });
});
