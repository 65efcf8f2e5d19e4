import { randomUUID } from 'node:crypto';
import type { OnlineState } from '../ports/onlineState.ts';
import type { ModelVersion, Store } from '../ports/store.ts';
import type { TrainingRunner } from '../jobs/runTraining.ts';
import type { ModelRegistry } from './modelRegistry.ts';
import { decodeArtifact } from './training/artifact.ts';
import type { TrainOutcome, TrainSpec } from './training/trainCore.ts';
import { toServingModel } from './serving/servingModel.ts';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface TrainingJob {
  id: string;
  status: JobStatus;
  /** 'schedule', 'new-events', 'startup', 'api', 'cli' */
  reason: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  progress?: { fraction: number; message: string };
  /** the model version it recorded */
  version?: number;
  promoted?: boolean;
  note?: string;
  metrics?: Record<string, number>;
  error?: string;
}

export interface TrainerSettings {
  enabled: boolean;
  intervalSeconds: number;
  afterNewEvents: number;
  model: string;
  params: Record<string, unknown>;
  typeWeights: Record<string, number>;
  defaultWeight: number;
}

export interface TrainerHooks {
  /** after every finished run (metrics gauges, logs) */
  onRunFinished?: (job: TrainingJob, outcome: TrainOutcome | undefined, durationMs: number) => void;
  onError?: (err: unknown) => void;
}

export interface TrainerDeps {
  store: Store;
  registry: ModelRegistry;
  online: OnlineState;
  runner: TrainingRunner;
  settings: TrainerSettings;
  hooks?: TrainerHooks;
  clock?: () => number;
}

/**
 * The background trainer: retrains on a schedule and after N new events, one run at a time
 * (a trigger during a run queues exactly one follow-up), records every version with its
 * hold-out metrics, and swaps the serving model only when the candidate is not worse.
 */
export class Trainer {
  private readonly jobs = new Map<string, TrainingJob>();
  private running: TrainingJob | undefined;
  private queued: TrainingJob | undefined;
  private newEvents = 0;
  private timer: NodeJS.Timeout | undefined;
  private idle: Promise<void> = Promise.resolve();
  private stopped = false;
  private abort: AbortController | undefined;
  private readonly clock: () => number;

  constructor(private readonly deps: TrainerDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** Loads the serving version; trains at once when there is none but there are events. */
  async start(): Promise<void> {
    const sm = await this.deps.registry.loadServing(this.deps.store);
    await this.warmOnlineState(sm?.lastSeq ?? 0, sm !== undefined);
    if (!this.deps.settings.enabled) return;
    if (!sm && (await this.deps.store.countEvents()) > 0) this.trigger('startup');
    this.timer = setInterval(() => this.trigger('schedule'), this.deps.settings.intervalSeconds * 1000);
    this.timer.unref();
  }

  /**
   * Replays events newer than the serving model into the online state, so a restart keeps
   * serving what users did since the last training run.
   */
  private async warmOnlineState(afterSeq: number, haveModel: boolean): Promise<void> {
    // without a model every event is "newer"; the startup training run covers those instead
    if (!haveModel) return;
    for await (const page of this.deps.store.scanEvents({ afterSeq, batchSize: 10_000 })) {
      const online = [];
      for (const e of page) if (e.itemId !== undefined) online.push({ userId: e.userId, itemId: e.itemId, type: e.type, timestamp: e.timestamp, seq: e.seq });
      await this.deps.online.recordEvents(online);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.queued = undefined;
    this.abort?.abort();
    await this.idle;
  }

  /** Counts accepted events; retrains once enough arrived. */
  noteEvents(n: number): void {
    this.newEvents += n;
    if (this.deps.settings.enabled && this.newEvents >= this.deps.settings.afterNewEvents && !this.queued && !this.running) this.trigger('new-events');
  }

  /**
   * Starts a run (or queues one behind the running run). Returns the job; a trigger while one
   * is already queued returns that queued job, since it will see the same data.
   */
  trigger(reason: string): TrainingJob {
    if (this.queued) return this.queued;
    const job: TrainingJob = { id: randomUUID(), status: 'queued', reason, createdAt: this.clock() };
    this.jobs.set(job.id, job);
    this.pruneJobs();
    if (this.running) this.queued = job;
    else this.idle = this.run(job);
    return job;
  }

  job(id: string): TrainingJob | undefined {
    return this.jobs.get(id);
  }

  listJobs(): TrainingJob[] {
    return [...this.jobs.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Resolves when no run is active or queued (tests, CLI, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.running || this.queued) await this.idle;
  }

  private async run(job: TrainingJob): Promise<void> {
    this.running = job;
    this.newEvents = 0;
    job.status = 'running';
    job.startedAt = this.clock();
    let outcome: TrainOutcome | undefined;
    this.abort = new AbortController();
    try {
      outcome = await this.deps.runner(
        this.spec(),
        (fraction, message) => {
          job.progress = { fraction, message };
        },
        this.abort.signal,
      );
      if (this.stopped) throw new Error('training cancelled: the server is stopping');
      await this.record(job, outcome);
      job.status = 'succeeded';
    } catch (err) {
      job.status = 'failed';
      job.error = err instanceof Error ? err.message : String(err);
      this.deps.hooks?.onError?.(err);
    } finally {
      job.finishedAt = this.clock();
      this.running = undefined;
      this.deps.hooks?.onRunFinished?.(job, outcome, job.finishedAt - (job.startedAt ?? job.finishedAt));
    }
    const next = this.queued;
    this.queued = undefined;
    if (next && !this.stopped) await this.run(next);
  }

  private spec(): TrainSpec {
    const s = this.deps.settings;
    const sm = this.deps.registry.serving;
    const spec: TrainSpec = { model: s.model, params: s.params, typeWeights: s.typeWeights, defaultWeight: s.defaultWeight };
    if (sm) spec.baseline = { model: sm.name, params: { ...sm.model.params } };
    return spec;
  }

  /** Saves the version; when promoted, swaps it in and retires the previous serving version. */
  private async record(job: TrainingJob, outcome: TrainOutcome): Promise<void> {
    const { store, registry, online } = this.deps;
    const durationMs = this.clock() - (job.startedAt ?? this.clock());
    const previous = registry.serving;
    const meta: Omit<ModelVersion, 'version'> = {
      model: outcome.model,
      params: outcome.params,
      status: outcome.promote ? 'serving' : 'rejected',
      createdAt: this.clock(),
      metrics: outcome.metrics,
      trainingEvents: outcome.trainingEvents,
      durationMs,
      note: outcome.note,
    };
    const version = await store.saveModelVersion(meta, outcome.artifact);
    job.version = version;
    job.promoted = outcome.promote;
    job.note = outcome.note;
    job.metrics = outcome.metrics;
    if (!outcome.promote) return;
    registry.swap(toServingModel(version, decodeArtifact(outcome.artifact), meta.createdAt));
    if (previous) await store.updateModelVersion(previous.version, { status: 'retired', note: `replaced by version ${version}` });
    // Events a model was trained on no longer need the online fold-in, but only the previous
    // model's are dropped: with a shared online state (scale-out), an API node still serving the
    // previous version until it loads this one must still find every event after that version's
    // horizon, or lists computed in between would leave them out for their whole lifetime.
    // Holding one generation more costs memory, not accuracy: buildProfile skips online events
    // at or below the serving model's own horizon.
    if (previous) await online.trimBefore(Math.min(previous.lastSeq, outcome.lastSeq));
  }

  private pruneJobs(): void {
    if (this.jobs.size <= 100) return;
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= 100) break;
      if (j.status === 'succeeded' || j.status === 'failed') this.jobs.delete(id);
    }
  }
}
