import { unpack } from '../data/pack.ts';

/**
 * Factories by name, with the lookup both model registries (top-N and rating) need: an unknown
 * name throws the registry's own error, which lists the names it does know.
 */
export class FactoryRegistry<F extends { readonly name: string }> {
  private readonly factories = new Map<string, F>();

  constructor(private readonly unknownName: (name: string, known: string[]) => Error) {}

  register(factory: F): void {
    this.factories.set(factory.name, factory);
  }

  names(): string[] {
    return [...this.factories.keys()];
  }

  get(name: string): F {
    const f = this.factories.get(name);
    if (!f) throw this.unknownName(name, this.names());
    return f;
  }

  /** The factory of the model a `serialize()` artifact holds (the artifact records its model name). */
  forArtifact(bytes: Uint8Array): F {
    const { meta } = unpack<{ name: string }>(bytes);
    return this.get(meta.name);
  }
}
