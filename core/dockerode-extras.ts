/**
 * Issue 23 (load only what the running configuration uses), inside dockerode. At its own load,
 * dockerode requires clients DevFlow needs only with some engines: ssh2 (through docker-modem,
 * for an ssh:// DOCKER_HOST) and gRPC with its protobuf loader (dockerode's BuildKit sessions,
 * which DevFlow never opens). Together they are half of dockerode's resident cost (measured:
 * bare node 39 MB, with dockerode 61 MB, with these deferred 50 MB).
 *
 * Before dockerode loads, each of them is put in the CommonJS module cache as a stand-in that
 * loads the real module at its first use: an ssh engine or a session works as before, after
 * the module's load time. A module something already loaded is left as it is.
 */
import Module, { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** [module, the module that requires it, from DevFlow's dependency on dockerode]. */
function extras(): Array<{ file: string; lazyClass?: string }> {
  const dockerode = require.resolve('dockerode');
  const fromDockerode = createRequire(dockerode);
  const fromModem = createRequire(fromDockerode.resolve('docker-modem'));
  return [
    { file: fromDockerode.resolve('@grpc/grpc-js') },
    { file: fromDockerode.resolve('@grpc/proto-loader') },
    // docker-modem reads `require('ssh2').Client` when it loads: the class itself must wait too.
    { file: fromModem.resolve('ssh2'), lazyClass: 'Client' },
  ];
}

/**
 * Exports that load `file` at the first look inside them. The real exports' properties are then
 * copied onto the stand-in's target, so every proxy trap answers as the real module would.
 */
export function lazyModuleExports(load: () => object, lazyClass?: string): object {
  const target: Record<PropertyKey, unknown> = {};
  let real: Record<PropertyKey, unknown> | undefined;
  const loaded = () => {
    if (real === undefined) {
      real = load() as Record<PropertyKey, unknown>;
      Object.defineProperties(target, Object.getOwnPropertyDescriptors(real));
    }
    return target;
  };
  const stand = lazyClass === undefined ? undefined : function LazyClass(this: unknown, ...args: unknown[]): object {
    const Real = loaded()[lazyClass] as new (...a: unknown[]) => object;
    return Reflect.construct(Real, args);
  };
  return new Proxy(target, {
    get: (_t, key) => (real === undefined && key === lazyClass ? stand : Reflect.get(loaded(), key)),
    has: (_t, key) => Reflect.has(loaded(), key),
    ownKeys: () => Reflect.ownKeys(loaded()),
    getOwnPropertyDescriptor: (_t, key) => Reflect.getOwnPropertyDescriptor(loaded(), key),
    set: (_t, key, value) => Reflect.set(loaded(), key, value),
    defineProperty: (_t, key, d) => Reflect.defineProperty(loaded(), key, d),
    deleteProperty: (_t, key) => Reflect.deleteProperty(loaded(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(loaded()),
  });
}

let deferred = false;

/** Call before dockerode's first load; later calls do nothing. */
export function deferDockerodeExtras(): void {
  if (deferred) return;
  deferred = true;
  let list: ReturnType<typeof extras>;
  try {
    list = extras();
  } catch {
    return; // a layout this does not know: dockerode loads everything itself, as before
  }
  for (const { file, lazyClass } of list) {
    if (require.cache[file] !== undefined) continue;
    const stub = new Module(file);
    stub.filename = file;
    stub.loaded = true;
    stub.exports = lazyModuleExports(() => {
      // The stand-in leaves the cache so that require loads and caches the real module.
      delete require.cache[file];
      return require(file) as object;
    }, lazyClass);
    require.cache[file] = stub;
  }
}
