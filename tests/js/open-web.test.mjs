// The receiving API through the web build (pkg/, instantiated in Node with initSync).
import { loadWebBuild } from './helpers.mjs';
import { defineOpenSuite } from './open-suite.mjs';

defineOpenSuite('pkg (wasm-bindgen --target web, initSync in Node)', loadWebBuild);
