/**
 * The oracle's tables, as Kysely sees them. Portable types only: integers (bigint columns, read
 * as JS numbers: every value stays below 2^53), text, and uint256 values as decimal text.
 */
import type { Generated, Insertable, Selectable } from "kysely";

/** received → scored | rejected; scored → batched → submitted → confirmed | deferred → batched … */
export type ContributionStateColumn =
  "received" | "scored" | "rejected" | "batched" | "submitted" | "confirmed" | "deferred";

/** signed → submitted → confirmed | failed (its items go back to the queue). */
export type BatchStateColumn = "signed" | "submitted" | "confirmed" | "failed";

/** pending → mined | replaced | dropped | reverted. */
export type TransactionStateColumn = "pending" | "mined" | "replaced" | "dropped" | "reverted";

export interface ContributionsTable {
  /** The contribution id: the on-chain exactly-once key, from the table's sequence. */
  id: Generated<number>;
  platform: string;
  event_id: string;
  /** sha256 of the canonical request body: the same event id with another body is a conflict. */
  body_hash: string;
  contributor: string;
  category: number;
  evidence: string;
  state: ContributionStateColumn;
  reason: string | null;
  quality: number | null;
  policy_version: string | null;
  /** The UTC day of acceptance, for per-contributor daily limits. */
  day: string;
  received_at: number;
  scored_at: number | null;
  batch_id: number | null;
  deferred_epoch: number | null;
  deferrals: number;
  amount: string | null;
  tx_hash: string | null;
  block_number: number | null;
  confirmed_at: number | null;
  updated_at: number;
}

export interface BatchesTable {
  id: Generated<number>;
  state: BatchStateColumn;
  reason: string | null;
  item_count: number;
  manifest: string;
  manifest_json: string;
  signer_set_version: string;
  deadline: string;
  /** JSON array of the quorum's signatures, in contract order. */
  signatures: string;
  /** JSON array of the packed contribution words. */
  contributions: string;
  created_at: number;
  nonce: number | null;
  tx_hash: string | null;
  block_number: number | null;
  block_hash: string | null;
  gas_used: string | null;
  epoch: number | null;
  rewarded: number | null;
  deferred: number | null;
  minted: string | null;
  confirmed_at: number | null;
  updated_at: number;
}

export interface BatchItemsTable {
  batch_id: number;
  contribution_id: number;
  position: number;
}

export interface TransactionsTable {
  hash: string;
  batch_id: number;
  nonce: number;
  /** The signed transaction, so it can be re-broadcast after a crash or a drop. */
  raw: string;
  max_fee_per_gas: string;
  max_priority_fee_per_gas: string;
  gas_limit: string;
  state: TransactionStateColumn;
  created_at: number;
  sent_at: number | null;
  block_number: number | null;
  updated_at: number;
}

export interface OracleDatabase {
  contributions: ContributionsTable;
  batches: BatchesTable;
  batch_items: BatchItemsTable;
  transactions: TransactionsTable;
}

export type ContributionRow = Selectable<ContributionsTable>;
export type NewContributionRow = Insertable<ContributionsTable>;
export type BatchRow = Selectable<BatchesTable>;
export type TransactionRow = Selectable<TransactionsTable>;
