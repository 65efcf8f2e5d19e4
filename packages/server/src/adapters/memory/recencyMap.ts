interface Node<V> {
  key: string;
  value: V;
  older: Node<V> | undefined;
  newer: Node<V> | undefined;
}

/**
 * A map that keeps its keys in order of last use, with O(1) touch and O(1) access to the least
 * recently used entry: a doubly linked list threaded through the map's nodes. Re-inserting a key
 * into a JS Map to move it to the end (delete + set) leaves a hole at the front for every move,
 * and finding the oldest entry then walks all of them until the Map is rehashed: past the memory
 * online state's event cap that cost 125–130 µs per single event.
 */
export class RecencyMap<V> {
  private readonly nodes = new Map<string, Node<V>>();
  private oldestNode: Node<V> | undefined;
  private newestNode: Node<V> | undefined;

  get size(): number {
    return this.nodes.size;
  }

  get(key: string): V | undefined {
    return this.nodes.get(key)?.value;
  }

  /** The key's value, created by `make(key)` as the newest entry when absent; an existing key keeps its place. */
  getOrCreate(key: string, make: (key: string) => V): V {
    const node = this.nodes.get(key);
    return node ? node.value : this.append(key, make(key));
  }

  /** The key's value, made the newest entry (created by `make(key)` when absent). */
  touch(key: string, make: (key: string) => V): V {
    const node = this.nodes.get(key);
    if (!node) return this.append(key, make(key));
    if (node !== this.newestNode) {
      this.unlink(node);
      this.link(node);
    }
    return node.value;
  }

  delete(key: string): boolean {
    const node = this.nodes.get(key);
    if (!node) return false;
    this.unlink(node);
    this.nodes.delete(key);
    return true;
  }

  /** The least recently used entry. */
  oldest(): [string, V] | undefined {
    const node = this.oldestNode;
    return node ? [node.key, node.value] : undefined;
  }

  /** Every entry, oldest first. */
  *entries(): Generator<[string, V]> {
    for (let node = this.oldestNode; node; ) {
      // the caller may delete the entry it was given
      const next = node.newer;
      yield [node.key, node.value];
      node = next;
    }
  }

  private append(key: string, value: V): V {
    const node: Node<V> = { key, value, older: undefined, newer: undefined };
    this.nodes.set(key, node);
    this.link(node);
    return value;
  }

  private link(node: Node<V>): void {
    node.older = this.newestNode;
    node.newer = undefined;
    if (this.newestNode) this.newestNode.newer = node;
    else this.oldestNode = node;
    this.newestNode = node;
  }

  private unlink(node: Node<V>): void {
    if (node.older) node.older.newer = node.newer;
    else this.oldestNode = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.newestNode = node.older;
    node.older = node.newer = undefined;
  }
}
