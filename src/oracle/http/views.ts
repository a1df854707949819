/**
 * What the read API returns for a contribution.
 */
import { categoryNameOf } from "../domain/evidence.js";
import type { ContributionRow } from "../db/schema.js";

export interface ContributionView {
  id: number;
  platform: string;
  eventId: string;
  contributor: string;
  category: string;
  state: string;
  reason: string | null;
  quality: number | null;
  policyVersion: string | null;
  amount: string | null;
  txHash: string | null;
  blockNumber: number | null;
  deferredEpoch: number | null;
  receivedAt: string;
  confirmedAt: string | null;
}

export function contributionView(row: ContributionRow): ContributionView {
  return {
    id: row.id,
    platform: row.platform,
    eventId: row.event_id,
    contributor: row.contributor,
    category: categoryNameOf(Number(row.category)) ?? String(row.category),
    state: row.state,
    reason: row.reason,
    quality: row.quality === null ? null : Number(row.quality),
    policyVersion: row.policy_version,
    amount: row.amount,
    txHash: row.tx_hash,
    blockNumber: row.block_number === null ? null : Number(row.block_number),
    deferredEpoch: row.deferred_epoch === null ? null : Number(row.deferred_epoch),
    receivedAt: new Date(Number(row.received_at)).toISOString(),
    confirmedAt: row.confirmed_at === null ? null : new Date(Number(row.confirmed_at)).toISOString(),
  };
}

export interface CategoryTotals {
  contributions: number;
  confirmed: number;
  pending: number;
  rejected: number;
  /** Tokens minted, in the token's smallest unit (decimal string). */
  amount: string;
}

export function contributorTotals(rows: readonly ContributionRow[]): {
  total: string;
  categories: Record<string, CategoryTotals>;
} {
  const categories: Record<string, CategoryTotals & { sum: bigint }> = {};
  let total = 0n;
  for (const row of rows) {
    const name = categoryNameOf(Number(row.category)) ?? String(row.category);
    const entry = (categories[name] ??= {
      contributions: 0,
      confirmed: 0,
      pending: 0,
      rejected: 0,
      amount: "0",
      sum: 0n,
    });
    entry.contributions += 1;
    if (row.state === "confirmed") {
      entry.confirmed += 1;
      const amount = BigInt(row.amount ?? "0");
      entry.sum += amount;
      total += amount;
    } else if (row.state === "rejected") entry.rejected += 1;
    else entry.pending += 1;
  }
  return {
    total: total.toString(),
    categories: Object.fromEntries(
      Object.entries(categories).map(([name, { sum, ...rest }]) => [name, { ...rest, amount: sum.toString() }]),
    ),
  };
}
