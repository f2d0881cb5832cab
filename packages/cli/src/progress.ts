import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

/** A bar with rate and ETA on a terminal; nothing at all in a pipe or with --json, where output is for programs. */
export function progress(label: string, options: { readonly quiet: boolean }): Progress {
  if (options.quiet || process.stderr.isTTY !== true) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate} events/s | ETA {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  return {
    update: (done, total) => {
      const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
      if (!running) {
        bar.start(total ?? done, done, { rate });
        running = true;
      }
      if (total !== undefined) bar.setTotal(total);
      bar.update(done, { rate });
    },
    stop: () => {
      if (running) bar.stop();
    },
  };
}
