import { describe, expect, it } from 'vitest'
import { MemoryProjections } from './memory-projections.ts'
import { Overlay } from './overlay.ts'
import { type ContainerState, type ProjectionView, openContainersOf } from './projections.ts'

const container = (id: string, status: ContainerState['status'], remaining = '5'): ContainerState => ({
  container: id, product: 'KET-50', lot: 'K1', location: 'SAFE-1', remaining_ml: remaining, opened_at: '2026-11-26T10:00:00.000Z', opened_seq: 9, beyond_use: null, status,
})

function view(...cs: ContainerState[]): MemoryProjections {
  const m = new MemoryProjections()
  m.apply(cs.map((c) => ({ kind: 'container' as const, key: c.container, value: c })))
  return m
}

describe('the open containers of a view', () => {
  it('given a view without an index, then openContainersOf filters its list', async () => {
    expect((await openContainersOf(view(container('C-1', 'open'), container('C-2', 'empty'), container('C-3', 'open')))).map((c) => c.container)).toEqual(['C-1', 'C-3'])
  })

  it('given a view with an index, then openContainersOf asks the index and not the list', async () => {
    const indexed: ProjectionView = { get: async () => undefined, list: async () => { throw new Error('list read') }, openContainers: async () => [container('C-9', 'open')] }
    expect((await openContainersOf(indexed)).map((c) => c.container)).toEqual(['C-9'])
  })

  it('given a decision that empties one container and opens another, then the overlay\'s open containers show both writes', async () => {
    const o = new Overlay(view(container('C-1', 'open'), container('C-2', 'open'), container('C-3', 'empty')))
    o.put('container', 'C-1', container('C-1', 'empty', '0'))
    o.put('container', 'C-4', container('C-4', 'open'))
    o.put('container', 'C-2', container('C-2', 'open', '4.2'))
    const open = await o.openContainers()
    expect(open.map((c) => [c.container, c.remaining_ml]).sort()).toEqual([['C-2', '4.2'], ['C-4', '5']])
    expect(open).toEqual(expect.arrayContaining((await o.list('container')).filter((c) => c.status === 'open')))
    expect(open).toHaveLength((await o.list('container')).filter((c) => c.status === 'open').length)
  })
})
