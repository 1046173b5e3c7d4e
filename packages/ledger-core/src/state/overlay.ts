import { type ContainerState, type ProjectionChange, type ProjectionKind, type ProjectionView, type Projections, openContainersOf, projectionKey } from './projections.ts'

/** A write-through layer over a view: reads see earlier writes of the same decision. */
export class Overlay {
  readonly #view: ProjectionView
  readonly #writes = new Map<string, ProjectionChange>()
  constructor(view: ProjectionView) {
    this.#view = view
  }
  async get<K extends ProjectionKind>(kind: K, key: string): Promise<Projections[K] | undefined> {
    const w = this.#writes.get(`${kind}\u0000${key}`)
    if (w) return w.value as Projections[K]
    return this.#view.get(kind, key)
  }
  async list<K extends ProjectionKind>(kind: K): Promise<ReadonlyArray<Projections[K]>> {
    const base = await this.#view.list(kind)
    const mine = [...this.#writes.values()].filter((w) => w.kind === kind)
    if (mine.length === 0) return base
    const keys = new Set(mine.map((w) => w.key))
    return [...base.filter((v) => !keys.has(projectionKey(kind, v))), ...mine.map((w) => w.value as Projections[K])]
  }
  /** The open containers as this decision leaves them: the view's, with its own container writes applied. */
  async openContainers(): Promise<ReadonlyArray<ContainerState>> {
    const base = await openContainersOf(this.#view)
    const mine = [...this.#writes.values()].filter((w) => w.kind === 'container').map((w) => w.value as ContainerState)
    if (mine.length === 0) return base
    const keys = new Set(mine.map((c) => c.container))
    return [...base.filter((c) => !keys.has(c.container)), ...mine.filter((c) => c.status === 'open')]
  }
  put<K extends ProjectionKind>(kind: K, key: string, value: Projections[K]): void {
    this.#writes.set(`${kind}\u0000${key}`, { kind, key, value } as ProjectionChange)
  }
  changes(): ProjectionChange[] {
    return [...this.#writes.values()]
  }
}

