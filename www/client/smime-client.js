// smime-wasm/client: the S/MIME core in a dedicated Worker, behind an async API with one options object
// per call. Identities are ids; private keys never reach the page (only exportPkcs12 returns a
// password-encrypted .p12). Errors are SmimeError {code, message, cause}.
//
//   const smime = await SmimeClient.start();
//   const me = await smime.importPkcs12({ data: p12Bytes, password });
//   const signed = await smime.sign({ identity: me.id, message, signal, onProgress });
import {
  CLIENT_ERROR_CODES, METHODS, SmimeError, checkOptions, fromWire, transferables,
} from './protocol.js';

export { CLIENT_ERROR_CODES, METHODS, SmimeError };

export class SmimeClient {
  #worker;
  #pending = new Map(); // id -> {resolve, reject, onProgress, cleanup}
  #next = 1;
  #failed = null;

  /**
   * Starts the worker and waits until its wasm module is instantiated.
   * @param {{worker?: Worker | MessagePort}} [options] a ready-made worker (tests, custom bundling)
   */
  static async start(options = {}) {
    for (const k of Object.keys(options)) {
      if (k !== 'worker') throw new SmimeError('INVALID_OPTION', `SmimeClient.start: unknown option ${JSON.stringify(k)}`);
    }
    let worker = options.worker;
    if (!worker) {
      try {
        worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'smime-wasm' });
      } catch (err) {
        throw new SmimeError('WORKER_FAILED', `the worker did not start: ${err.message}`, { cause: err });
      }
    }
    const client = new SmimeClient(worker);
    await client.#ready;
    return client;
  }

  #ready;

  constructor(worker) {
    this.#worker = worker;
    this.#ready = new Promise((resolve, reject) => {
      this.#onReady = { resolve, reject };
    });
    const onMessage = (event) => this.#receive(event.data);
    worker.addEventListener('message', onMessage);
    worker.start?.();
    worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      this.#fail(new SmimeError('WORKER_FAILED', `the worker failed: ${event.message ?? 'error'}`, { cause: event.error }));
    });
  }

  #onReady;

  #fail(err) {
    this.#failed = err;
    this.#onReady.reject(err);
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  #receive(msg) {
    if ('ready' in msg) {
      if (msg.ready) this.#onReady.resolve();
      else this.#fail(fromWire(msg.error));
      return;
    }
    const p = this.#pending.get(msg.id);
    if (!p) return; // aborted: the answer is dropped
    if (msg.progress) {
      try {
        p.onProgress?.(msg.progress);
      } catch {
        // a failing progress callback must not break the call
      }
      return;
    }
    this.#pending.delete(msg.id);
    p.cleanup();
    if (msg.ok) p.resolve(msg.result);
    else p.reject(fromWire(msg.error));
  }

  /** Sends one call to the worker. */
  call(method, options = {}) {
    try {
      checkOptions(method, options, { allowClient: true });
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#failed) return Promise.reject(this.#failed);
    const { signal, onProgress, transfer = true, resultAs = 'bytes', ...rest } = options;
    if (resultAs !== 'bytes' && resultAs !== 'blob') {
      return Promise.reject(new SmimeError('INVALID_OPTION', `${method}: option "resultAs" must be 'bytes' or 'blob'`));
    }
    if (onProgress !== undefined && typeof onProgress !== 'function') {
      return Promise.reject(new SmimeError('INVALID_OPTION', `${method}: option "onProgress" must be a function`));
    }
    const aborted = () => new SmimeError('ABORTED', `${method} was aborted`, { cause: signal.reason });
    if (signal?.aborted) return Promise.reject(aborted());
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (!this.#pending.delete(id)) return;
        this.#worker.postMessage({ cancel: id });
        reject(aborted());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => signal?.removeEventListener('abort', onAbort);
      this.#pending.set(id, { resolve, reject, onProgress, cleanup });
      try {
        this.#worker.postMessage({ id, method, options: rest, resultAs }, transfer ? transferables(rest) : []);
      } catch (err) {
        this.#pending.delete(id);
        cleanup();
        reject(new SmimeError('INVALID_OPTION', `${method}: the options cannot be sent to the worker: ${err.message}`, { cause: err }));
      }
    });
  }

  /** Stops the worker: every unlocked identity is gone, pending calls reject with WORKER_FAILED. */
  terminate() {
    this.#fail(new SmimeError('WORKER_FAILED', 'the client was terminated'));
    if (typeof this.#worker.terminate === 'function') this.#worker.terminate();
    else this.#worker.close?.();
  }
}

// One method per protocol method: smime.sign({...}), smime.open({...}), ...
for (const method of Object.keys(METHODS)) {
  Object.defineProperty(SmimeClient.prototype, method, {
    value(options) {
      return this.call(method, options);
    },
    writable: true,
    configurable: true,
  });
}
