import { createHash } from 'node:crypto';

/**
 * Seeded randomness. Every stream is derived from strings (bank, login, …) and small integers
 * (a day number, a salt), never from the clock or call order, so the same inputs give the same data
 * and one day's draws do not shift when another day changes.
 */

/** 128 bits of state, as four uint32 words. */
export type Seed = readonly [number, number, number, number];

/** A seed from strings: the first 128 bits of their SHA-256, so unrelated inputs give unrelated seeds. */
export function seedOf(...parts: string[]): Seed {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return [digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12)];
}

/** murmur3's finaliser: a cheap full-avalanche mix of 32 bits. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A child seed for integer salts (a day number, a stream label). Cheap enough to call once per
 * account and day, which hashing strings for ~2 000 days per customer would not be.
 */
export function deriveSeed(seed: Seed, ...salts: number[]): Seed {
  const words = seed.map((word, i) => {
    let w = word;
    for (const salt of salts) w = mix32(w ^ mix32(Math.imul(salt + i + 1, 0x9e3779b1)));
    return w;
  });
  return [words[0]!, words[1]!, words[2]!, words[3]!];
}

/** Eight hex digits naming a seed: opaque ids that stay the same for the same inputs. */
export function seedHex(seed: Seed, word = 0): string {
  return seed[word % 4]!.toString(16).padStart(8, '0');
}

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): tiny state, passes PractRand. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: Seed) {
    [this.#a, this.#b, this.#c, this.#d] = seed;
    // sfc32 needs a few rounds before nearby seeds stop giving correlated first outputs.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Log-uniform in [min, max]: small amounts common, large ones rare, as spending is. */
  logUniform(min: number, max: number): number {
    return min * Math.pow(max / min, this.next());
  }

  /** Poisson-distributed count with mean `mean` (Knuth; the means used here stay small). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** `length` decimal digits, leading zeros allowed. */
  digits(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += Math.floor(this.next() * 10);
    return out;
  }
}
