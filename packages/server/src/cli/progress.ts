import cliProgress from 'cli-progress';

/**
 * Progress for long CLI steps: a live bar when stderr is a terminal, otherwise plain lines (logs
 * and CI never fill with carriage returns): at most one per `intervalMs` as the step crosses a
 * 10 % mark, plus a final line, so quick steps print one line and long ones show they move.
 */
export interface Progress {
  update(done: number, detail?: string): void;
  stop(): void;
}

export interface ProgressStream {
  isTTY?: boolean;
  write(chunk: string): unknown;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** plain mode: minimum time between lines (default 2000 ms) */
  intervalMs?: number;
  clock?: () => number;
}

export function startProgress(label: string, total: number, opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        // cli-progress writes to a Node stream; stderr keeps stdout clean for data
        stream: stream as NodeJS.WritableStream,
        format: `${label} [{bar}] {percentage}% {value}/{total} {detail}`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { detail: '' });
    return {
      update: (done, detail) => bar.update(done, { detail: detail ?? '' }),
      stop: () => bar.stop(),
    };
  }
  const clock = opts.clock ?? (() => performance.now());
  const interval = opts.intervalMs ?? 2000;
  let lastDecile = 0;
  let lastTime = clock();
  let lastDone = 0;
  let stopped = false;
  return {
    update(done, detail) {
      lastDone = done;
      const decile = total > 0 ? Math.floor((done / total) * 10) : 10;
      if (decile <= lastDecile || decile >= 10) return;
      const now = clock();
      if (now - lastTime < interval) return;
      lastDecile = decile;
      lastTime = now;
      stream.write(`${label}: ${decile * 10}% (${done}/${total})${detail ? ` ${detail}` : ''}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      stream.write(`${label}: done (${lastDone}/${total})\n`);
    },
  };
}

/** One status line on stderr (never stdout, which may carry data). */
export function note(message: string, stream: ProgressStream = process.stderr): void {
  stream.write(`${message}\n`);
}
