// The encryption API through the web build (pkg/, instantiated in Node with initSync).
import { loadWebBuild } from './helpers.mjs';
import { defineEncryptSuite } from './encrypt-suite.mjs';

defineEncryptSuite('pkg (wasm-bindgen --target web, initSync in Node)', loadWebBuild);
