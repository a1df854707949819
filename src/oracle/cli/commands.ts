/**
 * Operator commands over the store (they run beside the service: SQLite's WAL and busy
 * timeout let both write): show the queue, requeue a deferred item, export a contributor's
 * history.
 */
import type { Store } from "../db/createStore.js";
import { contributionView } from "../http/views.js";

export interface Output {
  write(text: string): void;
}

export async function showQueue({ store, out, limit }: { store: Store; out: Output; limit: number }): Promise<void> {
  const states = await store.countByState();
  const batches = await store.countBatchesByState();
  const pending = await store.oldestPending(limit);
  out.write("contributions by state\n");
  for (const [state, n] of Object.entries(states).sort()) out.write(`  ${state.padEnd(10)} ${n}\n`);
  out.write("batches by state\n");
  for (const [state, n] of Object.entries(batches).sort()) out.write(`  ${state.padEnd(10)} ${n}\n`);
  if (pending.length > 0) {
    out.write(`oldest ${pending.length} not yet final\n`);
    out.write(`  ${"id".padStart(8)}  ${"state".padEnd(10)} ${"epoch".padStart(6)}  platform/eventId\n`);
    for (const row of pending) {
      const epoch = row.deferred_epoch === null ? "" : String(row.deferred_epoch);
      out.write(
        `  ${String(row.id).padStart(8)}  ${row.state.padEnd(10)} ${epoch.padStart(6)}  ${row.platform}/${row.event_id}\n`,
      );
    }
  }
}

export async function requeueItem({
  store,
  out,
  eventId,
  platform,
}: {
  store: Store;
  out: Output;
  eventId: string;
  platform?: string | undefined;
}): Promise<boolean> {
  const rows = await store.contributionsByEventId(eventId, platform);
  if (rows.length !== 1) {
    out.write(
      rows.length === 0
        ? `no contribution for event ${eventId}\n`
        : `several platforms sent ${eventId}: pass --platform\n`,
    );
    return false;
  }
  const row = rows[0]!;
  const result = await store.requeue(row.id);
  if (result === "requeued") {
    out.write(`contribution ${row.id} (${row.platform}/${row.event_id}) requeued; it goes into the next batch\n`);
    return true;
  }
  out.write(
    `contribution ${row.id} is ${row.state}${row.reason ? ` (${row.reason})` : ""}: only deferred or on-chain-rejected items can be requeued\n`,
  );
  return false;
}

export async function exportContributor({
  store,
  out,
  address,
  format,
}: {
  store: Store;
  out: Output;
  address: string;
  format: "json" | "csv";
}): Promise<void> {
  const rows = (await store.contributionsOf(address)).map(contributionView);
  if (format === "json") {
    out.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const columns = [
    "id",
    "platform",
    "eventId",
    "category",
    "state",
    "reason",
    "quality",
    "amount",
    "txHash",
    "blockNumber",
    "receivedAt",
    "confirmedAt",
  ] as const;
  const cell = (value: string | number | null) => {
    const text = value === null ? "" : String(value);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  out.write(`${columns.join(",")}\n`);
  for (const row of rows) out.write(`${columns.map((c) => cell(row[c])).join(",")}\n`);
}
