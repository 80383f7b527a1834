// The message loop of the worker: requests {id, method, options} in, {id, ok, result} or {id, ok: false,
// error} out (results' ArrayBuffers transferred), {id, progress} while a call runs, {cancel: id} to drop
// a call's answer. `ready` resolves to a dispatcher (dispatch.js) once the wasm module is instantiated;
// the loop then posts {ready: true}, or {ready: false, error} when instantiation failed.
import { BULK_OPTIONS, toWire } from './protocol.js';

/** Serves requests arriving on `port` (a worker's global scope, or a MessagePort in tests). */
export function listen(port, ready) {
  const cancelled = new Set();
  let dispatcher = null;
  const queue = [];

  async function run({ id, method, options, resultAs }) {
    if (cancelled.delete(id)) return;
    try {
      const progress = (p) => !cancelled.has(id) && port.postMessage({ id, progress: p });
      // Blob / File inputs are read here, off the page's main thread.
      for (const name of BULK_OPTIONS) {
        const v = options?.[name];
        if (typeof Blob !== 'undefined' && v instanceof Blob) {
          progress({ phase: 'reading', bytes: v.size });
          options[name] = new Uint8Array(await v.arrayBuffer());
        }
      }
      let { result, transfer } = await dispatcher.handle(method, options, { progress });
      if (cancelled.delete(id)) return;
      // A large result as a Blob: built here, so the page does not copy it on its main thread.
      if (resultAs === 'blob' && result instanceof Uint8Array) {
        result = new Blob([result]);
        transfer = [];
      }
      port.postMessage({ id, ok: true, result }, transfer);
    } catch (err) {
      if (cancelled.delete(id)) return;
      port.postMessage({ id, ok: false, error: toWire(err) });
    }
  }

  const onMessage = (event) => {
    const msg = event.data ?? event;
    if (msg && 'cancel' in msg) {
      cancelled.add(msg.cancel);
      return;
    }
    if (dispatcher) run(msg);
    else queue.push(msg);
  };
  if (typeof port.addEventListener === 'function') {
    port.addEventListener('message', onMessage);
    port.start?.();
  } else {
    port.on('message', (data) => onMessage({ data }));
  }

  ready.then(
    (d) => {
      dispatcher = d;
      port.postMessage({ ready: true });
      for (const msg of queue.splice(0)) run(msg);
    },
    (err) => port.postMessage({ ready: false, error: toWire(err) }),
  );
}
