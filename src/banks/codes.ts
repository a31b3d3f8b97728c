/**
 * How every connector reads a bank's codes against its code maps (`obie/codes.ts`, `uae/codes.ts`,
 * `ksa/codes.ts`), written once. Banks are not consistent about letter case (`DEBIT`, `credit`,
 * `BOOKED`, `ksaob.debit`) nor about namespaces (`AE.CBUAE.Monthly` for `UK.OBIE.Monthly`,
 * `KSAOB.Booked` for `Booked`), and none of that changes what the code means.
 */

interface CodeIndex {
  /** Lower-cased key → key. */
  full: Map<string, string>;
  /** Lower-cased last segment of a namespaced key → key; a segment two keys share is left out. */
  bare: Map<string, string>;
}

const indexes = new WeakMap<object, CodeIndex>();

const lastSegment = (code: string) => code.slice(code.lastIndexOf('.') + 1);

function indexOf(map: object): CodeIndex {
  let index = indexes.get(map);
  if (index) return index;
  const full = new Map<string, string>();
  const bare = new Map<string, string>();
  const ambiguous = new Set<string>();
  for (const key of Object.keys(map)) {
    const lower = key.toLowerCase();
    full.set(lower, key);
    const segment = lastSegment(lower);
    if (segment === lower) continue;
    if (bare.has(segment)) ambiguous.add(segment);
    bare.set(segment, key);
  }
  for (const segment of ambiguous) bare.delete(segment);
  index = { full, bare };
  indexes.set(map, index);
  return index;
}

/**
 * `map[code]` with letter case and surrounding white space ignored, or `undefined` for a code
 * outside the map. A namespaced code also matches under another namespace (`AE.CBUAE.Monthly` reads
 * as `UK.OBIE.Monthly`) and a map keyed without namespace reads namespaced codes
 * (`KSAOB.Booked` as `Booked`); a bare code does not match a namespaced key (`Principal` is not
 * `UK.OBIE.Principal`: a bank that drops the namespace may mean its own code).
 *
 * @example decodeCode({ Credit: 'CREDIT', Debit: 'DEBIT' }, 'DEBIT') === 'DEBIT'
 */
export function decodeCode<M extends Readonly<Record<string, unknown>>>(map: M, code: string): M[keyof M] | undefined {
  const index = indexOf(map);
  const lower = code.trim().toLowerCase();
  let key = index.full.get(lower);
  if (key === undefined && lower.includes('.')) {
    const segment = lastSegment(lower);
    key = index.full.get(segment) ?? index.bare.get(segment);
  }
  return key === undefined ? undefined : map[key as keyof M];
}
