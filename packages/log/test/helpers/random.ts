/**
 * A small seeded PRNG for deterministic tests: a Weyl sequence mixed by a
 * 32-bit avalanche finalizer. Not for cryptography; only reproducibility
 * matters, so a failing seed replays the same operations.
 */
export class Rng {
  private state: number

  constructor (readonly seed: number) {
    this.state = seed >>> 0
  }

  /** A uniform uint32. */
  next (): number {
    this.state = (this.state + 0x9e3779b9) >>> 0
    let z = this.state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }

  /** [0, 1) */
  float (): number {
    return this.next() / 0x100000000
  }

  /** An integer in [min, max], both inclusive. */
  int (min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1))
  }

  /** A bigint in [min, max]; the range must fit in a double's integers. */
  bigint (min: bigint, max: bigint): bigint {
    return min + BigInt(this.int(0, Number(max - min)))
  }

  chance (p: number): boolean {
    return this.float() < p
  }

  pick<T> (items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[this.int(0, items.length - 1)]!
  }

  /** Picks by relative weight. */
  weighted<T> (entries: ReadonlyArray<readonly [T, number]>): T {
    const total = entries.reduce((sum, [, w]) => sum + w, 0)
    let r = this.float() * total
    for (const [item, w] of entries) {
      r -= w
      if (r < 0) return item
    }
    return entries[entries.length - 1]![0]
  }

  /** Bytes that compress a little: runs of a few symbols, so gzip batches are not all incompressible. */
  bytes (n: number): Buffer {
    const out = Buffer.allocUnsafe(n)
    for (let i = 0; i < n; i++) out[i] = this.chance(0.5) ? 0x61 + (this.next() % 4) : this.next() & 0xff
    return out
  }
}

/**
 * Seeds for a run: TRIB_<NAME>_SEED replays one seed, otherwise `count`
 * seeds derived from TRIB_<NAME>_BASE_SEED (default fixed, so CI is
 * deterministic; set it to explore).
 */
export function seedsFromEnv (name: string, count: number): number[] {
  const one = process.env[`TRIB_${name}_SEED`]
  if (one !== undefined && one !== '') return [Number(one) >>> 0]
  const base = Number(process.env[`TRIB_${name}_BASE_SEED`] ?? '20240601') >>> 0
  const seeds: number[] = []
  const rng = new Rng(base)
  for (let i = 0; i < count; i++) seeds.push(rng.next())
  return seeds
}

/** A positive integer from the environment, or the default. */
export function intFromEnv (name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${raw} is not a non-negative integer`)
  return n
}
