/**
 * The oracle's store: every read and write of its state, as named operations over Kysely
 * (portable SQL only). Each state transition is one transaction, written before the side effect
 * it enables (a batch and its signatures before a transaction is built; a transaction's hash
 * and raw bytes before it is broadcast), so a crash at any point leaves a state recovery can
 * finish from.
 */
import type { Kysely, Transaction } from "kysely";
import { sql } from "kysely";

import type { ContributionState } from "../domain/states.js";
import type { ScoredContribution } from "../domain/scoreContributions.js";
import { dailyLimitKey } from "../domain/scoreContributions.js";
import type {
  BatchRow,
  ContributionRow,
  NewContributionRow,
  OracleDatabase,
  TransactionRow,
  TransactionStateColumn,
} from "./schema.js";

/** States in which a contribution counts against its contributor's daily limit. */
const ACCEPTED_STATES: ContributionState[] = ["scored", "batched", "submitted", "confirmed", "deferred"];
/** Bound on the `in (...)` lists (SQLite allows 32,766 parameters; PostgreSQL 65,535). */
const CHUNK = 500;
/** Most ingest inserts committed together. */
const INGEST_GROUP_MAX = 256;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export type InsertContributionResult =
  | { kind: "created"; row: ContributionRow }
  | { kind: "duplicate"; row: ContributionRow }
  | { kind: "conflict"; row: ContributionRow };

export interface NewBatch {
  itemIds: number[];
  manifest: string;
  manifestJson: string;
  signerSetVersion: bigint;
  deadline: bigint;
  signatures: string[];
  contributions: string[];
}

export interface NewTransaction {
  hash: string;
  batchId: number;
  nonce: number;
  raw: string;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  gasLimit: bigint;
}

export interface ItemOutcome {
  id: number;
  amount: bigint;
}

export interface ConfirmBatchParameters {
  batchId: number;
  txHash: string;
  blockNumber: number;
  blockHash: string;
  gasUsed: bigint;
  epoch: number;
  minted: bigint;
  rewarded: ItemOutcome[];
  deferred: number[];
}

export interface RewardedElsewhere {
  id: number;
  amount: bigint;
  txHash: string;
  blockNumber: number;
}

export interface FailBatchParameters {
  batchId: number;
  reason: string;
  /** Items found rewarded on chain (by another transaction of ours). */
  rewarded: RewardedElsewhere[];
  /** Items that can never be minted as attested (rejected with `rejected_on_chain`). */
  rejected: { id: number; reason: string }[];
}

export type Store = ReturnType<typeof createStore>;

export interface CreateStoreParameters {
  db: Kysely<OracleDatabase>;
  now?: () => number;
}

export function createStore({ db, now = Date.now }: CreateStoreParameters) {
  /**
   * Group commit: the inserts of concurrent requests that arrive in the same turn of the event
   * loop share one transaction, so one commit (and its locking) serves many requests; each
   * request is answered only after the commit that holds its row.
   */
  const ingestQueue: {
    row: Omit<NewContributionRow, "id">;
    resolve: (result: InsertContributionResult) => void;
    reject: (error: unknown) => void;
  }[] = [];
  let flushScheduled = false;

  async function insertOne(
    trx: Transaction<OracleDatabase>,
    row: Omit<NewContributionRow, "id">,
  ): Promise<InsertContributionResult> {
    const created = await trx
      .insertInto("contributions")
      .values(row)
      .onConflict((oc) => oc.columns(["platform", "event_id"]).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (created !== undefined) return { kind: "created", row: created };
    const existing = await trx
      .selectFrom("contributions")
      .selectAll()
      .where("platform", "=", row.platform)
      .where("event_id", "=", row.event_id)
      .executeTakeFirstOrThrow();
    return { kind: existing.body_hash === row.body_hash ? "duplicate" : "conflict", row: existing };
  }

  async function flushIngest(): Promise<void> {
    const group = ingestQueue.splice(0, INGEST_GROUP_MAX);
    flushScheduled = ingestQueue.length > 0;
    if (flushScheduled) setImmediate(() => void flushIngest());
    if (group.length === 0) return;
    try {
      const results = await db.transaction().execute(async (trx) => {
        const out: InsertContributionResult[] = [];
        for (const { row } of group) out.push(await insertOne(trx, row));
        return out;
      });
      group.forEach((entry, i) => entry.resolve(results[i]!));
    } catch (error) {
      for (const entry of group) entry.reject(error);
    }
  }

  /** Records items as minted, by the transaction and block that minted them. */
  async function confirmItems(trx: Transaction<OracleDatabase>, items: readonly RewardedElsewhere[], at: number) {
    for (const item of items) {
      await trx
        .updateTable("contributions")
        .set({
          state: "confirmed",
          amount: item.amount.toString(),
          tx_hash: item.txHash,
          block_number: item.blockNumber,
          confirmed_at: at,
          updated_at: at,
        })
        .where("id", "=", item.id)
        .execute();
    }
  }

  async function requeueItems(trx: Transaction<OracleDatabase>, ids: number[], at: number) {
    for (const part of chunks(ids)) {
      await trx
        .updateTable("contributions")
        .set({ state: "scored", batch_id: null, tx_hash: null, updated_at: at })
        .where("id", "in", part)
        .where("state", "in", ["batched", "submitted"])
        .execute();
    }
  }

  return {
    db,

    // ---------------------------------------------------------------- ingest

    /**
     * Accepts a platform event: assigns the next contribution id, or returns the record the
     * same event already has (`duplicate`), or `conflict` if that event id came with another body.
     * Resolves only once the row is committed (group commit: see {@link insertOne}).
     */
    insertContribution(row: Omit<NewContributionRow, "id">): Promise<InsertContributionResult> {
      return new Promise((resolve, reject) => {
        ingestQueue.push({ row, resolve, reject });
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(() => void flushIngest());
        }
      });
    },

    // ---------------------------------------------------------------- reads

    async contributionsByEventId(eventId: string, platform?: string): Promise<ContributionRow[]> {
      let query = db.selectFrom("contributions").selectAll().where("event_id", "=", eventId);
      if (platform !== undefined) query = query.where("platform", "=", platform);
      return query.orderBy("id").limit(10).execute();
    },

    async contributionById(id: number): Promise<ContributionRow | undefined> {
      return db.selectFrom("contributions").selectAll().where("id", "=", id).executeTakeFirst();
    },

    async contributionsOf(contributor: string): Promise<ContributionRow[]> {
      return db.selectFrom("contributions").selectAll().where("contributor", "=", contributor).orderBy("id").execute();
    },

    async countByState(): Promise<Record<string, number>> {
      const rows = await db
        .selectFrom("contributions")
        .select(["state", db.fn.countAll<number>().as("n")])
        .groupBy("state")
        .execute();
      return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    },

    async countBatchesByState(): Promise<Record<string, number>> {
      const rows = await db
        .selectFrom("batches")
        .select(["state", db.fn.countAll<number>().as("n")])
        .groupBy("state")
        .execute();
      return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    },

    async countContributions(): Promise<number> {
      const row = await db
        .selectFrom("contributions")
        .select(db.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async batchById(id: number): Promise<BatchRow | undefined> {
      return db.selectFrom("batches").selectAll().where("id", "=", id).executeTakeFirst();
    },

    async batchesInState(states: BatchRow["state"][], limit = 100): Promise<BatchRow[]> {
      return db.selectFrom("batches").selectAll().where("state", "in", states).orderBy("id").limit(limit).execute();
    },

    async batchItemIds(batchId: number): Promise<number[]> {
      const rows = await db
        .selectFrom("batch_items")
        .select("contribution_id")
        .where("batch_id", "=", batchId)
        .orderBy("position")
        .execute();
      return rows.map((r) => Number(r.contribution_id));
    },

    async transactionsOfBatch(batchId: number): Promise<TransactionRow[]> {
      return db.selectFrom("transactions").selectAll().where("batch_id", "=", batchId).orderBy("created_at").execute();
    },

    async allTransactions(): Promise<TransactionRow[]> {
      return db.selectFrom("transactions").selectAll().orderBy("created_at").execute();
    },

    /** Nonces of our transactions that may still be mined (pending, of a submitted batch). */
    async liveNonces(): Promise<Set<number>> {
      const rows = await db
        .selectFrom("transactions")
        .innerJoin("batches", "batches.id", "transactions.batch_id")
        .select("transactions.nonce")
        .where("transactions.state", "=", "pending")
        .where("batches.state", "=", "submitted")
        .execute();
      return new Set(rows.map((r) => Number(r.nonce)));
    },

    /** Every transaction we ever signed with `nonce` (to price a replacement above them). */
    async transactionsWithNonce(nonce: number): Promise<TransactionRow[]> {
      return db.selectFrom("transactions").selectAll().where("nonce", "=", nonce).execute();
    },

    // ---------------------------------------------------------------- scoring

    async receivedForScoring(limit: number): Promise<ContributionRow[]> {
      return db
        .selectFrom("contributions")
        .selectAll()
        .where("state", "=", "received")
        .orderBy("id")
        .limit(limit)
        .execute();
    },

    /** Accepted contributions per (contributor, category, day) among the given rows' keys. */
    async acceptedCounts(rows: readonly { contributor: string; day: string }[]): Promise<Map<string, number>> {
      const counts = new Map<string, number>();
      const contributors = [...new Set(rows.map((r) => r.contributor))];
      const days = [...new Set(rows.map((r) => r.day))];
      for (const part of chunks(contributors)) {
        const found = await db
          .selectFrom("contributions")
          .select(["contributor", "category", "day", db.fn.countAll<number>().as("n")])
          .where("contributor", "in", part)
          .where("day", "in", days)
          .where("state", "in", ACCEPTED_STATES)
          .groupBy(["contributor", "category", "day"])
          .execute();
        for (const r of found) counts.set(dailyLimitKey(r.contributor, Number(r.category), r.day), Number(r.n));
      }
      return counts;
    },

    async recordScores(results: readonly ScoredContribution[]): Promise<void> {
      const at = now();
      await db.transaction().execute(async (trx) => {
        for (const r of results) {
          await trx
            .updateTable("contributions")
            .set(
              r.accepted
                ? {
                    state: "scored",
                    quality: r.quality,
                    policy_version: r.policyVersion,
                    scored_at: at,
                    updated_at: at,
                  }
                : {
                    state: "rejected",
                    reason: r.reason,
                    policy_version: r.policyVersion,
                    scored_at: at,
                    updated_at: at,
                  },
            )
            .where("id", "=", r.id)
            .where("state", "=", "received")
            .execute();
        }
      });
    },

    // ---------------------------------------------------------------- batching

    /** Items ready for a batch: scored, or deferred in an epoch before `epoch`. */
    async eligibleItems(epoch: number, limit: number): Promise<ContributionRow[]> {
      return db
        .selectFrom("contributions")
        .selectAll()
        .where((eb) =>
          eb.or([eb("state", "=", "scored"), eb.and([eb("state", "=", "deferred"), eb("deferred_epoch", "<", epoch)])]),
        )
        .orderBy("id")
        .limit(limit)
        .execute();
    },

    async eligibleSummary(epoch: number): Promise<{ count: number; oldestScoredAt: number | null }> {
      const row = await db
        .selectFrom("contributions")
        .select([db.fn.countAll<number>().as("n"), db.fn.min("scored_at").as("oldest")])
        .where((eb) =>
          eb.or([eb("state", "=", "scored"), eb.and([eb("state", "=", "deferred"), eb("deferred_epoch", "<", epoch)])]),
        )
        .executeTakeFirstOrThrow();
      return { count: Number(row.n), oldestScoredAt: row.oldest === null ? null : Number(row.oldest) };
    },

    /** Records a signed batch and moves its items to `batched`, all or nothing. */
    async createBatch(batch: NewBatch): Promise<number> {
      const at = now();
      return db.transaction().execute(async (trx) => {
        const { id } = await trx
          .insertInto("batches")
          .values({
            state: "signed",
            item_count: batch.itemIds.length,
            manifest: batch.manifest,
            manifest_json: batch.manifestJson,
            signer_set_version: batch.signerSetVersion.toString(),
            deadline: batch.deadline.toString(),
            signatures: JSON.stringify(batch.signatures),
            contributions: JSON.stringify(batch.contributions),
            created_at: at,
            updated_at: at,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        const batchId = Number(id);
        for (const part of chunks(batch.itemIds.map((contributionId, position) => ({ contributionId, position })))) {
          await trx
            .insertInto("batch_items")
            .values(part.map((p) => ({ batch_id: batchId, contribution_id: p.contributionId, position: p.position })))
            .execute();
        }
        let moved = 0;
        for (const part of chunks(batch.itemIds)) {
          const result = await trx
            .updateTable("contributions")
            .set({ state: "batched", batch_id: batchId, updated_at: at })
            .where("id", "in", part)
            .where("state", "in", ["scored", "deferred"])
            .executeTakeFirst();
          moved += Number(result.numUpdatedRows);
        }
        if (moved !== batch.itemIds.length)
          throw new Error(`batch items changed state while signing (${moved}/${batch.itemIds.length})`);
        return batchId;
      });
    },

    // ---------------------------------------------------------------- submission

    /** Records a signed transaction before it is broadcast; the batch becomes `submitted`. */
    async recordTransaction(tx: NewTransaction): Promise<void> {
      const at = now();
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto("transactions")
          .values({
            hash: tx.hash,
            batch_id: tx.batchId,
            nonce: tx.nonce,
            raw: tx.raw,
            max_fee_per_gas: tx.maxFeePerGas.toString(),
            max_priority_fee_per_gas: tx.maxPriorityFeePerGas.toString(),
            gas_limit: tx.gasLimit.toString(),
            state: "pending",
            created_at: at,
            updated_at: at,
          })
          .execute();
        await trx
          .updateTable("batches")
          .set({ state: "submitted", nonce: tx.nonce, tx_hash: tx.hash, updated_at: at })
          .where("id", "=", tx.batchId)
          .execute();
        await trx
          .updateTable("contributions")
          .set({ state: "submitted", tx_hash: tx.hash, updated_at: at })
          .where("batch_id", "=", tx.batchId)
          .where("state", "in", ["batched", "submitted"])
          .execute();
      });
    },

    async markSent(hash: string): Promise<void> {
      await db
        .updateTable("transactions")
        .set({ sent_at: now(), updated_at: now() })
        .where("hash", "=", hash)
        .execute();
    },

    async setTransactionState(hashes: string[], state: TransactionStateColumn): Promise<void> {
      if (hashes.length === 0) return;
      await db.updateTable("transactions").set({ state, updated_at: now() }).where("hash", "in", hashes).execute();
    },

    /**
     * A transaction the node refused (its nonce was taken): drop it and put the batch back to
     * `signed`, so it is sent again with a fresh nonce. Only for a transaction no node accepted.
     */
    async unsubmit(batchId: number, hash: string): Promise<void> {
      const at = now();
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable("transactions")
          .set({ state: "dropped", updated_at: at })
          .where("hash", "=", hash)
          .execute();
        const pending = await trx
          .selectFrom("transactions")
          .select("hash")
          .where("batch_id", "=", batchId)
          .where("state", "=", "pending")
          .execute();
        if (pending.length > 0) return;
        await trx
          .updateTable("batches")
          .set({ state: "signed", nonce: null, tx_hash: null, updated_at: at })
          .where("id", "=", batchId)
          .execute();
        await trx
          .updateTable("contributions")
          .set({ state: "batched", tx_hash: null, updated_at: at })
          .where("batch_id", "=", batchId)
          .where("state", "=", "submitted")
          .execute();
      });
    },

    // ---------------------------------------------------------------- confirmation

    /** Records a batch mined at the required depth: minted items confirmed, deferred ones queued. */
    async confirmBatch(p: ConfirmBatchParameters): Promise<void> {
      const at = now();
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable("batches")
          .set({
            state: "confirmed",
            tx_hash: p.txHash,
            block_number: p.blockNumber,
            block_hash: p.blockHash,
            gas_used: p.gasUsed.toString(),
            epoch: p.epoch,
            rewarded: p.rewarded.length,
            deferred: p.deferred.length,
            minted: p.minted.toString(),
            confirmed_at: at,
            updated_at: at,
          })
          .where("id", "=", p.batchId)
          .execute();
        await trx
          .updateTable("transactions")
          .set({ state: "mined", block_number: p.blockNumber, updated_at: at })
          .where("hash", "=", p.txHash)
          .execute();
        await trx
          .updateTable("transactions")
          .set({ state: "replaced", updated_at: at })
          .where("batch_id", "=", p.batchId)
          .where("hash", "!=", p.txHash)
          .where("state", "=", "pending")
          .execute();
        await confirmItems(
          trx,
          p.rewarded.map((item) => ({ ...item, txHash: p.txHash, blockNumber: p.blockNumber })),
          at,
        );
        for (const part of chunks(p.deferred)) {
          await trx
            .updateTable("contributions")
            .set((eb) => ({
              state: "deferred",
              deferred_epoch: p.epoch,
              deferrals: eb("deferrals", "+", 1),
              batch_id: null,
              tx_hash: null,
              updated_at: at,
            }))
            .where("id", "in", part)
            .execute();
        }
      });
    },

    /**
     * Gives up a batch (it reverted, expired, or its nonce went to another transaction): items
     * found rewarded on chain are confirmed from the chain's record, items that can never be
     * minted are rejected, and the rest go back to the queue with their ids.
     */
    async failBatch(p: FailBatchParameters): Promise<void> {
      const at = now();
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable("batches")
          .set({ state: "failed", reason: p.reason, updated_at: at })
          .where("id", "=", p.batchId)
          .execute();
        await trx
          .updateTable("transactions")
          .set({ state: "dropped", updated_at: at })
          .where("batch_id", "=", p.batchId)
          .where("state", "=", "pending")
          .execute();
        await confirmItems(trx, p.rewarded, at);
        for (const item of p.rejected) {
          await trx
            .updateTable("contributions")
            .set({ state: "rejected", reason: item.reason, batch_id: null, tx_hash: null, updated_at: at })
            .where("id", "=", item.id)
            .execute();
        }
        const settled = new Set([...p.rewarded.map((r) => r.id), ...p.rejected.map((r) => r.id)]);
        const items = await trx
          .selectFrom("contributions")
          .select("id")
          .where("batch_id", "=", p.batchId)
          .where("state", "in", ["batched", "submitted"])
          .execute();
        await requeueItems(
          trx,
          items.map((r) => Number(r.id)).filter((id) => !settled.has(id)),
          at,
        );
      });
    },

    // ---------------------------------------------------------------- operations (CLI)

    /** Puts a deferred or rejected-on-chain item back in the queue now. */
    async requeue(id: number): Promise<"requeued" | "not-requeueable"> {
      const at = now();
      const result = await db
        .updateTable("contributions")
        .set({ state: "scored", deferred_epoch: null, batch_id: null, reason: null, updated_at: at })
        .where("id", "=", id)
        .where((eb) =>
          eb.or([eb("state", "=", "deferred"), eb.and([eb("state", "=", "rejected"), eb("quality", "is not", null)])]),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1 ? "requeued" : "not-requeueable";
    },

    async oldestPending(limit: number): Promise<ContributionRow[]> {
      return db
        .selectFrom("contributions")
        .selectAll()
        .where("state", "not in", ["confirmed", "rejected"])
        .orderBy("id")
        .limit(limit)
        .execute();
    },

    /** Rejection counts by reason (for metrics). */
    async rejectionsByReason(): Promise<Record<string, number>> {
      const rows = await db
        .selectFrom("contributions")
        .select(["reason", db.fn.countAll<number>().as("n")])
        .where("state", "=", "rejected")
        .groupBy("reason")
        .execute();
      return Object.fromEntries(rows.map((r) => [r.reason ?? "unknown", Number(r.n)]));
    },

    /** A cheap liveness probe of the database. */
    async ping(): Promise<void> {
      await sql`select 1`.execute(db);
    },
  };
}
