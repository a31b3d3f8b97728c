/**
 * The part of the Reflect metadata API (the `reflect-metadata` proposal) that tsyringe calls:
 * `defineMetadata`, `getOwnMetadata`, and `getMetadata`, which also looks along the prototype
 * chain. @peculiar/x509 finds its algorithms through tsyringe, which refuses to load without this
 * API; import this module before @peculiar/x509. A full polyfill loaded earlier is left in place.
 */
const metadata = new WeakMap<object, Map<unknown, unknown>>();

function getOwnMetadata(key: unknown, target: object): unknown {
  return metadata.get(target)?.get(key);
}

if (typeof (Reflect as { getMetadata?: unknown }).getMetadata !== 'function') {
  Object.assign(Reflect, {
    defineMetadata(key: unknown, value: unknown, target: object): void {
      let own = metadata.get(target);
      if (!own) metadata.set(target, (own = new Map()));
      own.set(key, value);
    },
    getOwnMetadata,
    getMetadata(key: unknown, target: object): unknown {
      for (let current: object | null = target; current !== null; current = Object.getPrototypeOf(current)) {
        const own = metadata.get(current);
        if (own?.has(key)) return own.get(key);
      }
      return undefined;
    },
  });
}
