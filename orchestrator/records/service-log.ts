/** The pino methods the service uses (the queue, the records and their listeners log through it). */
export interface Log {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A log that drops everything (tests, benches). */
export const silentLog: Log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
