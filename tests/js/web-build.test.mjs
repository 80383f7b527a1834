// The JS API through the web build (pkg/, the ES module the playground bundles), instantiated in Node
// with initSync({ module }) instead of fetching the .wasm.
import { loadWebBuild } from './helpers.mjs';
import { defineSuite } from './suite.mjs';

defineSuite('pkg (wasm-bindgen --target web, initSync in Node)', loadWebBuild);
