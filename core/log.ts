import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs on stderr (stdout belongs to the JSON lines the CLI prints). Quiet under jest
 * unless ECHOSIM_LOG_LEVEL says otherwise.
 */
export function createLogger(name = 'echosim', level?: string): Logger {
  const fallback = process.env.JEST_WORKER_ID !== undefined ? 'silent' : 'info';
  return pino(
    { name, level: level ?? process.env.ECHOSIM_LOG_LEVEL ?? fallback },
    pino.destination({ fd: 2, sync: true }),
  );
}

let root: Logger | undefined;

/** The process-wide logger; modules take a child of it unless one is injected. */
export function rootLogger(): Logger {
  root ??= createLogger();
  return root;
}
