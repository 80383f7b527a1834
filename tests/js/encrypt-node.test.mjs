// The encryption API through the nodejs build (pkg-node/).
import { loadNodeBuild } from './helpers.mjs';
import { defineEncryptSuite } from './encrypt-suite.mjs';

defineEncryptSuite('pkg-node (wasm-bindgen --target nodejs)', async () => loadNodeBuild());
