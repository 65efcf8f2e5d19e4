import { BUILTIN_SCENARIOS, type Scenario } from '@attune/engine';
import type { Store } from '../../ports/store.ts';
import { builtinScenario, parseScenarioDefinition } from './scenarioDefinition.ts';

/** Store collection holding user-defined scenarios, one document per name. */
export const SCENARIO_COLLECTION = 'scenarios';

/** What is stored: the body as sent (re-validated on load, so engine defaults stay current). */
interface StoredScenario {
  definition: Record<string, unknown>;
  updatedAt: number;
}

export interface ScenarioView {
  name: string;
  /** 'built-in', 'custom', or 'custom' with `overrides: true` when it shadows a built-in */
  source: 'built-in' | 'custom';
  overrides?: boolean;
  updatedAt?: number;
  /** the body as saved (custom scenarios) */
  definition?: Record<string, unknown>;
  /** the full scenario the pipeline runs, defaults filled in */
  scenario: Scenario;
}

/**
 * User-defined scenarios: validated on PUT, persisted as Store documents, held in memory so
 * serving reads them without I/O. `definitions()` is what runPipeline gets as
 * `request.scenarios`, which it consults before the built-ins (so a custom `homepage` shadows
 * the built-in one). `revision` changes on every write, for list caches keyed on scenarios.
 *
 * One instance per Store (see scenariosFor): the routes and the recommendation service must see
 * the same writes. Several API nodes share one Store: each re-reads the collection in the
 * background when its copy is older than `refreshMs`, so a write on one node reaches the others
 * within about that long (there is no bus topic for scenarios yet).
 */
export class ScenarioService {
  private custom = new Map<string, { scenario: Scenario } & StoredScenario>();
  private snapshot: Readonly<Record<string, Scenario>> = Object.freeze({});
  private loading: Promise<void> | undefined;
  private rev = 0;
  private loadedAt = 0;
  private refreshing = false;
  /** local writes so far: a background reload that overlapped one is dropped, not applied */
  private writes = 0;

  constructor(
    private readonly store: Store,
    private readonly onInvalid: (name: string, err: unknown) => void = () => {},
    private readonly clock: () => number = Date.now,
    private readonly refreshMs = 10_000,
  ) {}

  /** Loads the stored scenarios once; later calls return the same promise (a failed load is retried). */
  ready(): Promise<void> {
    this.loading ??= this.load().catch((err: unknown) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const writes = this.writes;
    const startedAt = this.clock();
    const next = new Map<string, { scenario: Scenario } & StoredScenario>();
    for (const { key, value } of await this.store.listDocuments<StoredScenario>(SCENARIO_COLLECTION)) {
      const known = this.custom.get(key);
      if (known && known.updatedAt === value.updatedAt) {
        next.set(key, known);
        continue;
      }
      try {
        next.set(key, { scenario: parseScenarioDefinition(key, value.definition), ...value });
      } catch (err) {
        // a definition the current engine no longer accepts is skipped, not fatal to serving
        this.onInvalid(key, err);
      }
    }
    if (writes !== this.writes) return;
    this.loadedAt = startedAt;
    const changed = next.size !== this.custom.size || [...next].some(([k, v]) => this.custom.get(k) !== v);
    this.custom = next;
    if (changed || this.rev === 0) this.publish();
  }

  get revision(): number {
    return this.rev;
  }

  /** User-defined scenarios by name (synchronous: call ready() once first). */
  definitions(): Readonly<Record<string, Scenario>> {
    this.maybeRefresh();
    return this.snapshot;
  }

  /** Starts a background re-read when the copy is older than refreshMs (other nodes' writes). */
  private maybeRefresh(): void {
    if (this.refreshMs > 0 && this.loadedAt > 0 && !this.refreshing && this.clock() - this.loadedAt > this.refreshMs) {
      this.refreshing = true;
      this.load()
        .catch((err: unknown) => this.onInvalid('*', err))
        .finally(() => {
          this.refreshing = false;
        });
    }
  }

  /** Built-ins (unless shadowed) and custom scenarios, by name. */
  async list(): Promise<ScenarioView[]> {
    await this.ready();
    this.maybeRefresh();
    const out: ScenarioView[] = [];
    for (const name of Object.keys(BUILTIN_SCENARIOS)) if (!this.custom.has(name)) out.push({ name, source: 'built-in', scenario: BUILTIN_SCENARIOS[name] as Scenario });
    for (const name of [...this.custom.keys()].sort()) out.push(this.view(name) as ScenarioView);
    return out;
  }

  async get(name: string): Promise<ScenarioView | undefined> {
    await this.ready();
    this.maybeRefresh();
    if (this.custom.has(name)) return this.view(name);
    const builtin = builtinScenario(name);
    return builtin ? { name, source: 'built-in', scenario: builtin } : undefined;
  }

  /** Validates (throws ApiError 400 with the path) and saves; `created` is false for an update. */
  async put(name: string, raw: unknown): Promise<{ view: ScenarioView; created: boolean }> {
    await this.ready();
    const scenario = parseScenarioDefinition(name, raw);
    const stored: StoredScenario = { definition: raw as Record<string, unknown>, updatedAt: this.clock() };
    this.writes++;
    await this.store.putDocument(SCENARIO_COLLECTION, name, stored);
    const created = !this.custom.has(name);
    this.custom.set(name, { scenario, ...stored });
    this.publish();
    return { view: this.view(name) as ScenarioView, created };
  }

  /** Deletes a custom scenario (a shadowed built-in comes back). False when there is none. */
  async delete(name: string): Promise<boolean> {
    await this.ready();
    if (!this.custom.has(name)) return false;
    this.writes++;
    await this.store.deleteDocument(SCENARIO_COLLECTION, name);
    this.custom.delete(name);
    this.publish();
    return true;
  }

  private view(name: string): ScenarioView | undefined {
    const c = this.custom.get(name);
    if (!c) return undefined;
    return { name, source: 'custom', ...(builtinScenario(name) ? { overrides: true } : {}), updatedAt: c.updatedAt, definition: c.definition, scenario: c.scenario };
  }

  private publish(): void {
    // no prototype: runPipeline looks names up in it, and "toString" must not be found
    const snapshot: Record<string, Scenario> = Object.create(null) as Record<string, Scenario>;
    for (const [k, v] of this.custom) snapshot[k] = v.scenario;
    this.snapshot = Object.freeze(snapshot);
    this.rev++;
  }
}

const byStore = new WeakMap<Store, ScenarioService>();

/**
 * The scenario service of a Store: the routes (created by buildApp) and the recommendation
 * service (created by the serving extension) are built separately but must share one cache.
 */
export function scenariosFor(store: Store): ScenarioService {
  let s = byStore.get(store);
  if (!s) byStore.set(store, (s = new ScenarioService(store)));
  return s;
}
