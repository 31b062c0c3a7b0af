/**
 * Counts what the core sends the window: each event and each command's answer, by name, in
 * messages and in bytes of JSON (the form the IPC carries). Off unless a benchmark turns it
 * on by setting `window.__stratoIpcMeter` to an empty meter (`{}`); until then each message
 * costs one property read. The UI benchmark (tests/e2e/examples/ui_bench.rs) reads it to
 * compare the traffic of a 10-track and a 10,000-track queue while playing.
 */
export interface Metered {
  messages: number;
  bytes: number;
}

/** Per `event:<name>` and `answer:<command>`. */
export type IpcMeter = Record<string, Metered>;

declare global {
  interface Window {
    __stratoIpcMeter?: IpcMeter;
  }
}

export function meter(kind: "event" | "answer", name: string, payload: unknown): void {
  const counts = typeof window === "undefined" ? undefined : window.__stratoIpcMeter;
  if (!counts) return;
  const key = `${kind}:${name}`;
  const entry = (counts[key] ??= { messages: 0, bytes: 0 });
  entry.messages += 1;
  // Bytes as UTF-8, as the IPC carries them (`undefined`, a command answering nothing: 0).
  entry.bytes += new TextEncoder().encode(JSON.stringify(payload) ?? "").length;
}
