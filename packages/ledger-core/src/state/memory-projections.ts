import { canonicalJson } from '../chain/canonical-json.ts'
import type { ProjectionChange, ProjectionKind, ProjectionView, Projections } from './projections.ts'

/**
 * Projections held in memory: the rebuild target of `verify` and the state of the in-memory store.
 * `snapshot()` gives a canonical, sorted dump to compare with a store's stored projections.
 */
export class MemoryProjections implements ProjectionView {
  readonly #maps = new Map<ProjectionKind, Map<string, unknown>>()

  async get<K extends ProjectionKind>(kind: K, key: string): Promise<Projections[K] | undefined> {
    return this.getSync(kind, key)
  }
  getSync<K extends ProjectionKind>(kind: K, key: string): Projections[K] | undefined {
    return this.#maps.get(kind)?.get(key) as Projections[K] | undefined
  }
  async list<K extends ProjectionKind>(kind: K): Promise<ReadonlyArray<Projections[K]>> {
    const m = this.#maps.get(kind)
    if (!m) return []
    return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v as Projections[K])
  }
  apply(changes: readonly ProjectionChange[]): void {
    for (const c of changes) {
      let m = this.#maps.get(c.kind)
      if (!m) this.#maps.set(c.kind, (m = new Map()))
      m.set(c.key, c.value)
    }
  }
  /** Every (kind, key, canonical value) sorted by kind then key. */
  snapshot(): Array<{ kind: ProjectionKind; key: string; value: string }> {
    const rows: Array<{ kind: ProjectionKind; key: string; value: string }> = []
    for (const [kind, m] of this.#maps) for (const [key, v] of m) rows.push({ kind, key, value: canonicalJson(v) })
    return rows.sort((a, b) => (a.kind === b.kind ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.kind < b.kind ? -1 : 1))
  }
}
