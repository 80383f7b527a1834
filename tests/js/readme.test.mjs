// README.md stays true: its error table is Error::ALL_CODES of src/error.rs, and its JS example runs
// (through the package's own "exports", as a user's `import ... from 'smime-wasm'` would) and makes a
// message that verifies.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { ROOT, loadNodeBuild, parseMessage, rustErrorCodes, verifySigned } from './helpers.mjs';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

test('the README error table lists exactly Error::ALL_CODES, in order', () => {
  const section = readme.split(/^## Error codes$/m)[1]?.split(/^## /m)[0];
  assert.ok(section, 'README has an "## Error codes" section');
  const codes = [...section.matchAll(/^\| `([A-Z0-9_]+)` \| (.+) \|$/gm)];
  assert.deepEqual(codes.map((c) => c[1]), rustErrorCodes());
  for (const [, code, meaning] of codes) assert.ok(meaning.trim().length > 10, `a meaning for ${code}`);
});

test("the README problem-code table lists exactly problemCodes(), in order", () => {
  const section = readme.split(/^## Receiving$/m)[1]?.split(/^## /m)[0];
  assert.ok(section, 'README has a "## Receiving" section');
  const codes = [...section.matchAll(/^\| `([A-Z0-9_]+)` \| (.+) \|$/gm)].map((c) => c[1]);
  assert.deepEqual(codes, loadNodeBuild().problemCodes().map((p) => p.code));
});

test('the README JavaScript example runs and its output verifies', async () => {
  const block = readme.match(/^## Using it from JavaScript$[\s\S]*?^```js\n([\s\S]*?)^```$/m);
  assert.ok(block, 'README has a js example');
  // Inside the package (target/ is git-ignored), so that 'smime-wasm' resolves to this package itself.
  const dir = path.join(ROOT, 'target', 'readme-example');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'example.mjs');
  writeFileSync(file, block[1]);
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [file], {
      cwd: ROOT,
      encoding: 'buffer',
      maxBuffer: 16 << 20,
    });
    assert.equal(stderr.toString(), '', 'the example prints nothing on stderr');
    const msg = parseMessage(stdout.toString('latin1'));
    assert.equal(msg.headers.get('subject')?.[0], 'Signed in WebAssembly');
    const { content } = await verifySigned(stdout);
    assert.ok(content.toString('latin1').includes('Hello Bob!'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
