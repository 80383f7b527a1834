// The generated TypeScript declarations (pkg/smime_wasm.d.ts) describe the API as documented:
// tests/types/usage.ts must compile with --strict, including its @ts-expect-error lines (which
// fail the build if the mistake they mark would type-check).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { ROOT } from './helpers.mjs';

const run = promisify(execFile);

for (const file of ['usage.ts', 'client-usage.ts']) {
  test(`the .d.ts types the documented usage and rejects the mistakes: tests/types/${file}`, async () => {
    const tsc = path.join(ROOT, 'node_modules', '.bin', 'tsc');
    const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler',
      '--lib', 'es2022,dom', '--skipLibCheck', 'false', path.join(ROOT, 'tests', 'types', file)];
    try {
      await run(tsc, args, { cwd: ROOT });
    } catch (e) {
      assert.fail(`tsc rejected tests/types/${file}:\n${e.stdout}${e.stderr}`);
    }
  });
}
