import type { TrainOutcome } from '../services/training/trainCore.ts';

/** Messages the training worker posts to the server thread. */
export type WorkerReply =
  | { kind: 'progress'; fraction: number; message: string }
  | { kind: 'done'; outcome: TrainOutcome }
  | { kind: 'failed'; message: string };
