// The JS API through the nodejs build (pkg-node/, CommonJS, instantiated on require).
import { loadNodeBuild } from './helpers.mjs';
import { defineSuite } from './suite.mjs';

defineSuite('pkg-node (wasm-bindgen --target nodejs)', async () => loadNodeBuild());
