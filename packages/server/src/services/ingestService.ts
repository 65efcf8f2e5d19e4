import type { Bus } from '../ports/bus.ts';
import type { NewEvent, Store } from '../ports/store.ts';
import type { Metrics } from '../metrics.ts';
import type { OnlineState } from '../ports/onlineState.ts';
import { onlineEventsOf } from './onlineEvents.ts';
import { parseEvent } from '../validation/eventValidator.ts';
import { ValidationIssue } from '../validation/issue.ts';
import { ApiError } from '../errors.ts';
import type { RejectedRecord } from './catalogueService.ts';

export interface IngestReport {
  accepted: number;
  /** idempotent retries of events already stored (same eventId): not stored twice */
  duplicates: number;
  rejected: RejectedRecord[];
}

/**
 * Event ingestion: validate each event (a bad one is reported by index, the rest go in), append
 * the valid ones in ONE store transaction (durable before we answer), then announce them on the
 * bus. Nothing here logs per event.
 */
export class IngestService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly opts: {
      maxBatch: number;
      metrics?: Metrics;
      /**
       * Set when the bus delivers after publish resolves (NATS): the shared online state is then
       * written here, before the POST answers, so the user's next recommendation on ANY node
       * reflects the event. The bus subscribers' later write of the same events is idempotent.
       */
      online?: OnlineState;
    },
  ) {}

  /** Handles a POST /v1/events body: one event object or an array of them. */
  async ingestBody(body: unknown, now = Date.now()): Promise<IngestReport> {
    if (Array.isArray(body)) {
      if (body.length > this.opts.maxBatch) {
        throw new ApiError(400, 'too_many_events', `at most ${this.opts.maxBatch} events per request, got ${body.length}: split the batch`, '$');
      }
      const report = await this.ingest(body, '$', now);
      if (report.accepted === 0 && report.duplicates === 0 && report.rejected.length > 0) {
        const first = report.rejected[0]!;
        throw new ApiError(400, 'invalid_events', `every event was rejected; first: ${first.message}`, first.path, undefined, { rejected: report.rejected });
      }
      return report;
    }
    let event: NewEvent;
    try {
      event = parseEvent(body, '$', now);
    } catch (err) {
      if (err instanceof ValidationIssue) {
        this.opts.metrics?.recordIngested('rejected', 1);
        throw new ApiError(400, err.code, err.message, err.path);
      }
      throw err;
    }
    return this.append([event], []);
  }

  /** Validates and appends; invalid events are reported, never thrown. */
  async ingest(raws: readonly unknown[], basePath: string, now = Date.now()): Promise<IngestReport> {
    const valid: NewEvent[] = [];
    const validIndex: number[] = [];
    const rejected: RejectedRecord[] = [];
    for (let i = 0; i < raws.length; i++) {
      try {
        valid.push(parseEvent(raws[i], `${basePath}[${i}]`, now));
        validIndex.push(i);
      } catch (err) {
        if (!(err instanceof ValidationIssue)) throw err;
        rejected.push({ index: i, code: err.code, message: err.message, path: err.path });
      }
    }
    return this.append(valid, rejected);
  }

  /** Appends already-validated events (imports and the demo validate with parseEvent first). */
  async append(events: NewEvent[], rejected: RejectedRecord[] = []): Promise<IngestReport> {
    const result = await this.store.appendEvents(events);
    const m = this.opts.metrics;
    if (m) {
      if (result.accepted.length) m.recordIngested('accepted', result.accepted.length);
      if (result.duplicates.length) m.recordIngested('duplicate', result.duplicates.length);
      if (rejected.length) m.recordIngested('rejected', rejected.length);
    }
    if (result.accepted.length > 0) {
      const stored =
        result.stored ??
        // an adapter that does not report stored rows: announce what we know (seq unknown)
        result.accepted.map((i) => ({ ...events[i]!, eventId: events[i]!.eventId ?? '', seq: -1, receivedAt: Date.now() }));
      if (this.opts.online) {
        const online = onlineEventsOf(stored);
        if (online.length > 0) await this.opts.online.recordEvents(online);
      }
      await this.bus.publish('events.accepted', { events: stored });
    }
    return { accepted: result.accepted.length, duplicates: result.duplicates.length, rejected };
  }
}
