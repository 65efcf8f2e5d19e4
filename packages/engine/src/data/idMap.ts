/** A two-way map between external string ids and dense indices 0..size-1, in insertion order. */
export class IdMap {
  private readonly toIndex = new Map<string, number>();
  private readonly toId: string[] = [];

  constructor(ids: Iterable<string> = []) {
    for (const id of ids) this.add(id);
  }

  /** Index of `id`, adding it when new. */
  add(id: string): number {
    let index = this.toIndex.get(id);
    if (index === undefined) {
      index = this.toId.length;
      this.toIndex.set(id, index);
      this.toId.push(id);
    }
    return index;
  }

  /** Index of `id`, or -1 when unknown. */
  index(id: string): number {
    return this.toIndex.get(id) ?? -1;
  }

  has(id: string): boolean {
    return this.toIndex.has(id);
  }

  id(index: number): string {
    const id = this.toId[index];
    if (id === undefined) throw new RangeError(`index ${index} out of range 0..${this.toId.length - 1}`);
    return id;
  }

  get size(): number {
    return this.toId.length;
  }

  ids(): readonly string[] {
    return this.toId;
  }

  toJSON(): string[] {
    return this.toId.slice();
  }

  static fromJSON(ids: string[]): IdMap {
    return new IdMap(ids);
  }
}
