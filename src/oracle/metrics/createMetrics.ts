/**
 * Prometheus metrics (prom-client), in a registry of their own. Queue depth is read from the
 * database at scrape time, so it is right after a restart too.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface CreateMetricsParameters {
  /** Called at scrape time: contributions per state. */
  queueDepth?: () => Promise<Record<string, number>>;
  defaultMetrics?: boolean;
}

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics({ queueDepth, defaultMetrics = true }: CreateMetricsParameters = {}) {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry, prefix: "oracle_" });
  const metrics = {
    registry,
    ingested: new Counter({
      name: "oracle_contributions_ingested_total",
      help: "Contribution events accepted (new ids assigned), by category.",
      labelNames: ["category"] as const,
      registers: [registry],
    }),
    ingestRejected: new Counter({
      name: "oracle_ingest_rejected_total",
      help: "Ingest requests refused, by HTTP status and reason.",
      labelNames: ["status", "reason"] as const,
      registers: [registry],
    }),
    duplicates: new Counter({
      name: "oracle_ingest_duplicates_total",
      help: "Events received again with the same body (idempotent replays).",
      registers: [registry],
    }),
    scored: new Counter({
      name: "oracle_contributions_scored_total",
      help: "Contributions accepted by the scoring policies.",
      registers: [registry],
    }),
    rejected: new Counter({
      name: "oracle_contributions_rejected_total",
      help: "Contributions rejected, by reason.",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "oracle_queue_depth",
      help: "Contributions per state.",
      labelNames: ["state"] as const,
      registers: [registry],
      async collect() {
        if (queueDepth === undefined) return;
        const counts = await queueDepth();
        this.reset();
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    }),
    batches: new Counter({
      name: "oracle_batches_total",
      help: "Batches by outcome: signed, submitted, confirmed, failed.",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    minted: new Counter({
      name: "oracle_contributions_minted_total",
      help: "Contributions confirmed minted.",
      registers: [registry],
    }),
    deferred: new Counter({
      name: "oracle_contributions_deferred_total",
      help: "Contributions deferred by the contract for lack of epoch budget.",
      registers: [registry],
    }),
    gasUsed: new Counter({
      name: "oracle_gas_used_total",
      help: "Gas used by confirmed batch transactions.",
      registers: [registry],
    }),
    transactions: new Counter({
      name: "oracle_transactions_total",
      help: "Transactions by event: sent, replaced, rebroadcast, nonce_conflict.",
      labelNames: ["event"] as const,
      registers: [registry],
    }),
    rpcErrors: new Counter({
      name: "oracle_rpc_errors_total",
      help: "RPC failures, by kind.",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
    confirmationLag: new Histogram({
      name: "oracle_confirmation_lag_seconds",
      help: "From acceptance of a contribution to the confirmation of its mint.",
      buckets: [1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
      registers: [registry],
    }),
    clockSkew: new Gauge({
      name: "oracle_clock_skew_seconds",
      help: "Local clock minus the chain's latest block time.",
      registers: [registry],
    }),
  };
  return metrics;
}
