// The receiving API through the nodejs build (pkg-node/).
import { loadNodeBuild } from './helpers.mjs';
import { defineOpenSuite } from './open-suite.mjs';

defineOpenSuite('pkg-node (wasm-bindgen --target nodejs)', async () => loadNodeBuild());
