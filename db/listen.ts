// One LISTEN connection per process and channel (docs/architecture.md §14): PostgreSQL's
// notifications, for what must reach every app instance at once (the limiter's leases end when a
// key is revoked or a customer's plan or status changes). It logs in as the app's pool does, to
// the same database. While it is not connected, `listening` is false and the subscriber must not
// rely on hearing anything (the limiter then asks the database at every call); it reconnects
// after a second. Its socket does not keep a process alive; closeDatabase ends it.
import "server-only";
import pg from "pg";
import { appPool } from "./client";

interface Listener {
  channel: string;
  listening: boolean;
  client: pg.Client | null;
  stopped: boolean;
  handlers: Set<(payload: string) => void>;
}

const registry = globalThis as unknown as { tenantryListeners?: Map<string, Listener> };
const listeners = (registry.tenantryListeners ??= new Map<string, Listener>());

/** Whether `channel`'s connection is up: only then does a notification reach `onNotice`. */
export function listen(channel: string, onNotice: (payload: string) => void): () => boolean {
  let listener = listeners.get(channel);
  if (!listener) {
    listener = { channel, listening: false, client: null, stopped: false, handlers: new Set() };
    listeners.set(channel, listener);
    void connect(listener);
  }
  listener.handlers.add(onNotice);
  const heard = listener;
  return () => heard.listening;
}

async function connect(listener: Listener): Promise<void> {
  if (listener.stopped) return;
  const client = new pg.Client({ connectionString: appPool().options.connectionString });
  const retry = () => {
    if (listener.client !== client) return;
    listener.listening = false;
    listener.client = null;
    client.end().catch(() => undefined);
    setTimeout(() => void connect(listener), 1_000).unref();
  };
  client.on("error", retry);
  client.on("end", retry);
  client.on("notification", (message) => {
    for (const handler of listener.handlers) handler(message.payload ?? "");
  });
  listener.client = client;
  try {
    await client.connect();
    (client as unknown as { connection: { stream: { unref(): void } } }).connection.stream.unref();
    await client.query(`listen ${client.escapeIdentifier(listener.channel)}`);
    listener.listening = true;
  } catch {
    retry();
  }
}

/** Ends every listener (closeDatabase). */
export async function stopListening(): Promise<void> {
  for (const listener of listeners.values()) {
    listener.stopped = true;
    listener.listening = false;
    const client = listener.client;
    listener.client = null;
    await client?.end().catch(() => undefined);
  }
  listeners.clear();
}
