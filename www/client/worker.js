// The dedicated Worker of SmimeClient: instantiates the web build of the wasm module (pkg/) and serves
// the page's requests. Private keys live only here, as wasm objects behind ids.
import init, * as wasm from '../../pkg/smime_wasm.js';
import { createDispatcher } from './dispatch.js';
import { listen } from './worker-loop.js';

listen(self, init().then(() => createDispatcher(wasm)));
