/**
 * The pipeline: received → scored | rejected → batched (signed) → submitted (tx hash) →
 * confirmed (block) | deferred (re-batched in a later epoch). One loop runs the steps in order,
 * each with its own backoff, so an unreachable RPC stops only the chain steps while scoring
 * goes on.
 *
 * Exactly once (DESIGN invariant 7): every state change is committed before the side effect
 * it enables (the batch and its signatures before a transaction is built; the transaction's
 * raw bytes and hash before it is broadcast; the confirmation only at the configured depth),
 * and everything the chain may have done without our record is read back from the chain: the
 * receipts of every hash we signed, the account's nonce, `isRewarded(id)` and the
 * `ContributionRewarded` logs. The contract rewards an id at most once, so a batch sent twice
 * can never mint twice; the oracle's part is to never give one event two ids (a unique key in
 * the store) and never forget an id (every item is confirmed, rejected, or back in the queue).
 * See docs/oracle.md for the crash matrix.
 */
import type { Hash, Hex } from "viem";

import { signRewardBatch } from "../../sdk/signRewardBatch.js";
import type { RewardBatchArgs } from "../../sdk/signRewardBatch.js";
import type { Chain } from "../chain/createChain.js";
import { ChainCallError } from "../chain/createChain.js";
import type { RewardedRecord } from "../chain/createChain.js";
import type { ClassifiedChainError } from "../chain/classifyError.js";
import type { CrashPoint, ServiceConfig } from "../config/loadConfig.js";
import type { Store } from "../db/createStore.js";
import type { BatchRow, TransactionRow } from "../db/schema.js";
import { bumpFees, isValidReplacement } from "../domain/fees.js";
import type { Fees } from "../domain/fees.js";
import { buildManifest } from "../domain/manifest.js";
import type { ScoringPolicy } from "../domain/policies.js";
import { backoffMs } from "../domain/retry.js";
import { scoreContributions } from "../domain/scoreContributions.js";
import { describeError, NonRetryableError, RetryableError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics/createMetrics.js";

/** Received rows scored per transaction. */
const SCORE_CHUNK = 1000;
/** Retry backoff of a failing step: 250 ms doubling to 15 s. */
const STEP_BACKOFF_BASE_MS = 250;
const STEP_BACKOFF_MAX_MS = 15_000;
/** After a batch fails (expired, reverted…), wait before signing the next: 1 s doubling to 60 s. */
const FAILURE_BACKOFF_BASE_MS = 1000;
const FAILURE_BACKOFF_MAX_MS = 60_000;
/** While minting is paused, look again this often. */
const PAUSED_BACKOFF_MS = 30_000;
/** Signatures that do not form a quorum need an operator: look again this often. */
const QUORUM_BACKOFF_MS = 300_000;
/** How long the signer set read from the chain is trusted. */
const SIGNER_SET_TTL_MS = 30_000;
/** Clock skew warnings at most this often. */
const SKEW_WARNING_INTERVAL_MS = 60_000;
/** Gas model of `simulate` estimation: a batch's fixed part, and the first per-item guess. */
const GAS_MODEL_BASE = 200_000n;
const GAS_MODEL_FIRST_PER_ITEM = 50_000n;
/** On shutdown, how long to wait for the step in flight. */
const STOP_TIMEOUT_MS = 15_000;

class BatchTooLargeError extends NonRetryableError {
  override name = "BatchTooLargeError";
  constructor(readonly gas: bigint) {
    super(`the batch needs ${gas} gas, above the cap`);
  }
}

export interface CreatePipelineParameters {
  config: ServiceConfig;
  store: Store;
  chain: Chain;
  policy: ScoringPolicy;
  metrics: Metrics;
  logger: Logger;
  crash: (point: CrashPoint) => void;
  /** The signer's clock, in ms (Date.now plus the configured offset). */
  clock: () => number;
}

export type Pipeline = ReturnType<typeof createPipeline>;

interface StepState {
  failures: number;
  nextAt: number;
}

interface BatchPayload {
  args: RewardBatchArgs;
  signatures: Hex[];
}

function payloadOf(batch: BatchRow): BatchPayload {
  return {
    args: {
      contributions: JSON.parse(batch.contributions) as Hex[],
      manifest: batch.manifest as Hex,
      signerSetVersion: BigInt(batch.signer_set_version),
      deadline: BigInt(batch.deadline),
    },
    signatures: JSON.parse(batch.signatures) as Hex[],
  };
}

function feesOf(tx: TransactionRow): Fees {
  return { maxFeePerGas: BigInt(tx.max_fee_per_gas), maxPriorityFeePerGas: BigInt(tx.max_priority_fee_per_gas) };
}

export function createPipeline({
  config,
  store,
  chain,
  policy,
  metrics,
  logger,
  crash,
  clock,
}: CreatePipelineParameters) {
  const log = logger.child({ component: "pipeline" });
  const steps = new Map<string, StepState>();
  /** Per-batch earliest next action (paused minting, a refused broadcast…). */
  const batchNotBefore = new Map<number, number>();
  /** Receipts seen below the confirmation depth, to notice one that disappears (a reorg). */
  const seenReceipts = new Map<string, bigint>();
  let batchLimit = config.batch.maxItems;
  /** Most gas per item seen in a receipt (for `simulate` estimation). */
  let gasPerItem = GAS_MODEL_FIRST_PER_ITEM;
  let gasPerItemLearned = false;
  let consecutiveFailures = 0;
  let batchingNotBefore = 0;
  let signerSetCache: { version: bigint; at: number } | undefined;
  let lastSkewWarning = 0;
  let lastChainError: { at: number; message: string } | undefined;
  let lastChainSuccess: number | undefined;
  let initialised = false;
  let recovered = false;
  let stopping = false;
  let running: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;

  // ------------------------------------------------------------------ helpers

  async function step(name: string, fn: () => Promise<boolean>): Promise<boolean> {
    const state = steps.get(name) ?? { failures: 0, nextAt: 0 };
    steps.set(name, state);
    if (Date.now() < state.nextAt) return false;
    try {
      const didWork = await fn();
      if (state.failures > 0) log.info({ step: name, failures: state.failures }, "step recovered");
      state.failures = 0;
      if (name !== "score") lastChainSuccess = Date.now();
      return didWork;
    } catch (error) {
      if (name !== "score") lastChainError = { at: Date.now(), message: describeError(error) };
      state.failures += 1;
      const wait = backoffMs({ attempt: state.failures, baseMs: STEP_BACKOFF_BASE_MS, maxMs: STEP_BACKOFF_MAX_MS });
      state.nextAt = Date.now() + wait;
      if (error instanceof ChainCallError) metrics.rpcErrors.inc({ kind: error.classified.kind });
      const level = error instanceof RetryableError ? (state.failures > 3 ? "warn" : "info") : "error";
      log[level]({ step: name, err: describeError(error), failures: state.failures, retryInMs: wait }, "step failed");
      return false;
    }
  }

  async function signerSetVersion(): Promise<bigint> {
    if (signerSetCache !== undefined && Date.now() - signerSetCache.at < SIGNER_SET_TTL_MS)
      return signerSetCache.version;
    const set = await chain.signerSet();
    const ours = new Set(chain.signers.map((s) => s.address.toLowerCase()));
    const members = set.signers.filter((s) => ours.has(s.toLowerCase())).length;
    if (BigInt(members) < set.threshold) {
      log.error(
        { members, threshold: set.threshold.toString() },
        "our signer keys are not a quorum of the current set",
      );
    }
    signerSetCache = { version: set.version, at: Date.now() };
    return set.version;
  }

  // ------------------------------------------------------------------ score

  async function score(): Promise<boolean> {
    let did = false;
    for (;;) {
      const rows = await store.receivedForScoring(SCORE_CHUNK);
      if (rows.length === 0) return did;
      const counts = await store.acceptedCounts(rows);
      const results = scoreContributions({ items: rows, policy, acceptedCounts: counts });
      await store.recordScores(results);
      crash("after-scoring");
      for (const r of results) {
        if (r.accepted) metrics.scored.inc();
        else metrics.rejected.inc({ reason: r.reason });
      }
      did = true;
      if (rows.length < SCORE_CHUNK) return did;
    }
  }

  // ------------------------------------------------------------------ batch

  async function batch(): Promise<boolean> {
    if (stopping || Date.now() < batchingNotBefore) return false;
    const byState = await store.countBatchesByState();
    let inFlight = (byState.signed ?? 0) + (byState.submitted ?? 0);
    if (inFlight >= config.tx.maxInFlight) return false;
    const epoch = Number(await chain.currentEpoch());
    let did = false;
    while (inFlight < config.tx.maxInFlight && !stopping) {
      const { count, oldestScoredAt } = await store.eligibleSummary(epoch);
      if (count === 0) break;
      const waited = oldestScoredAt === null ? 0 : clock() - oldestScoredAt;
      if (count < batchLimit && waited < config.batch.maxWaitMs) break;
      const items = await store.eligibleItems(epoch, batchLimit);
      const block = await chain.latestBlock();
      const localSeconds = BigInt(Math.floor(clock() / 1000));
      const skew = Number(localSeconds - block.timestamp);
      metrics.clockSkew.set(skew);
      if (
        Math.abs(skew) > config.batch.maxClockSkewSeconds &&
        Date.now() - lastSkewWarning > SKEW_WARNING_INTERVAL_MS
      ) {
        lastSkewWarning = Date.now();
        log.warn(
          { skewSeconds: skew },
          "the signer clock and the chain disagree; deadlines follow the later of the two",
        );
      }
      // Deadline policy: from the later of the chain's time and ours, so neither a signer clock
      // behind the chain nor a chain idle for a while (old latest block) makes a batch expired
      // on arrival. A clock ahead only lengthens the validity.
      const base = block.timestamp > localSeconds ? block.timestamp : localSeconds;
      const deadline = base + BigInt(config.batch.deadlineSeconds);
      const { domain } = await chain.init();
      const version = await signerSetVersion();
      const manifest = buildManifest(
        items.map((row) => ({
          id: row.id,
          platform: row.platform,
          eventId: row.event_id,
          bodyHash: row.body_hash,
          policyVersion: row.policy_version ?? policy.version,
        })),
      );
      const contributions = items.map((row) => ({
        id: BigInt(row.id),
        contributor: row.contributor as Hex,
        category: Number(row.category),
        quality: Number(row.quality),
      }));
      const { signatures, args } = await signRewardBatch({
        domain,
        batch: { contributions, manifest: manifest.hash, signerSetVersion: version, deadline },
        signers: chain.signers,
      });
      const batchId = await store.createBatch({
        itemIds: items.map((row) => row.id),
        manifest: manifest.hash,
        manifestJson: manifest.json,
        signerSetVersion: version,
        deadline,
        signatures,
        contributions: args.contributions,
      });
      metrics.batches.inc({ outcome: "signed" });
      log.info({ batchId, items: items.length, firstId: items[0]?.id, deadline: deadline.toString() }, "batch signed");
      crash("after-signing");
      inFlight += 1;
      did = true;
    }
    return did;
  }

  // ------------------------------------------------------------------ submit

  async function allocateNonce(): Promise<number> {
    const latest = await chain.nonce("latest");
    const live = await store.liveNonces();
    let nonce = latest;
    while (live.has(nonce)) nonce += 1;
    return nonce;
  }

  /** Market fees, raised above anything we ever signed with this nonce (so it replaces it). */
  async function feesFor(nonce: number): Promise<Fees> {
    const market = await chain.marketFees();
    const earlier = await store.transactionsWithNonce(nonce);
    let fees = market;
    for (const tx of earlier) {
      fees = bumpFees({
        previous: feesOf(tx),
        market: fees,
        bumpPercent: config.tx.feeBumpPercent,
        cap: config.tx.maxFeePerGas,
      });
    }
    if (config.tx.maxFeePerGas !== undefined && fees.maxFeePerGas > config.tx.maxFeePerGas) {
      fees = bumpFees({
        previous: { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
        market: fees,
        bumpPercent: 0,
        cap: config.tx.maxFeePerGas,
      });
    }
    return fees;
  }

  /**
   * Broadcasts a transaction already recorded. A refusal that means this transaction can never
   * be mined (nonce taken, underpriced) drops it, and the batch goes back to `signed` if it has
   * no other live transaction; anything else (unreachable, unknown) leaves it for the monitor,
   * which asks the chain what really happened.
   */
  async function send(batchId: number, hash: Hash, raw: Hex, nonce: number): Promise<void> {
    try {
      await chain.broadcast(raw);
      await store.markSent(hash);
      metrics.transactions.inc({ event: "sent" });
      log.info({ batchId, hash, nonce }, "transaction broadcast");
    } catch (error) {
      if (!(error instanceof ChainCallError)) throw error;
      const { kind } = error.classified;
      if (kind === "already_known") {
        await store.markSent(hash);
        return;
      }
      if (
        kind === "nonce_too_low" ||
        kind === "nonce_too_high" ||
        kind === "underpriced" ||
        kind === "fee_too_low" ||
        kind === "insufficient_funds"
      ) {
        // The node refused it: no node has it, it cannot be mined. If our own earlier
        // transaction took the nonce, the monitor finds its receipt.
        if (await chain.receipt(hash)) return;
        await store.unsubmit(batchId, hash);
        if (kind === "nonce_too_low" || kind === "nonce_too_high")
          metrics.transactions.inc({ event: "nonce_conflict" });
        const level = kind === "insufficient_funds" ? "error" : "warn";
        log[level](
          { batchId, hash, nonce, kind },
          "transaction refused by the node; re-reading the nonce and sending again",
        );
        batchNotBefore.set(batchId, Date.now() + (kind === "insufficient_funds" ? PAUSED_BACKOFF_MS : 0));
        return;
      }
      log.warn(
        { batchId, hash, nonce, kind, err: describeError(error) },
        "broadcast failed; the monitor will check the chain",
      );
    }
  }

  async function submit(): Promise<boolean> {
    if (stopping) return false;
    await chain.init();
    const signed = await store.batchesInState(["signed"], config.tx.maxInFlight);
    let did = false;
    for (const batchRow of signed) {
      if (stopping) break;
      if ((batchNotBefore.get(batchRow.id) ?? 0) > Date.now()) continue;
      const { args, signatures } = payloadOf(batchRow);
      let gasLimit: bigint;
      try {
        gasLimit = await gasLimitFor(batchRow, args, signatures);
      } catch (error) {
        if (error instanceof ChainCallError && error.classified.kind === "revert") {
          await handleRevert(batchRow, error.classified);
          did = true;
          continue;
        }
        if (error instanceof BatchTooLargeError) {
          batchLimit = Math.max(1, Math.floor(batchRow.item_count / 2));
          log.warn(
            { batchId: batchRow.id, gas: error.gas.toString(), batchLimit },
            "batch above the gas cap; splitting",
          );
          await failAndReconcile(batchRow, "too_large", [], false);
          did = true;
          continue;
        }
        throw error;
      }
      const nonce = await allocateNonce();
      const fees = await feesFor(nonce);
      const data = chain.encodeRewardBatch(args, signatures);
      const { raw, hash } = await chain.signTransaction({ data, nonce, gas: gasLimit, fees });
      await store.recordTransaction({ hash, batchId: batchRow.id, nonce, raw, gasLimit, ...fees });
      metrics.batches.inc({ outcome: "submitted" });
      crash("before-broadcast");
      await send(batchRow.id, hash, raw, nonce);
      crash("after-broadcast");
      did = true;
    }
    return did;
  }

  /**
   * The gas limit of a batch, found by the configured method. Both detect a revert (thrown as
   * a classified {@link ChainCallError}) before anything is signed or sent.
   */
  async function gasLimitFor(batchRow: BatchRow, args: RewardBatchArgs, signatures: Hex[]): Promise<bigint> {
    const cap = config.tx.gasLimitCap;
    if (config.tx.gasEstimation === "simulate") {
      const modeled = GAS_MODEL_BASE + BigInt(batchRow.item_count) * gasPerItem;
      const bound = modeled > cap ? cap : modeled;
      try {
        await chain.simulateRewardBatch(args, signatures, bound);
        return bound;
      } catch (error) {
        // A bound too low for this batch (out of gas, or an undecoded failure): ask the node.
        if (!(error instanceof ChainCallError)) throw error;
        const { kind, errorName } = error.classified;
        if (!(kind === "out_of_gas" || (kind === "revert" && errorName === undefined))) throw error;
      }
    }
    const gas = await chain.estimateRewardBatchGas(args, signatures);
    if (gas > cap) throw new BatchTooLargeError(gas);
    const margin = (gas * BigInt(100 + config.tx.gasMarginPercent)) / 100n;
    return margin > cap ? cap : margin;
  }

  /** Learns the gas per item from a receipt, with the configured margin (for `simulate`). */
  function learnGas(gasUsed: bigint, items: number): void {
    if (items === 0 || gasUsed <= GAS_MODEL_BASE) return;
    const perItem =
      (((gasUsed - GAS_MODEL_BASE) / BigInt(items)) * BigInt(100 + config.tx.gasMarginPercent)) / 100n + 1n;
    if (!gasPerItemLearned || perItem > gasPerItem) gasPerItem = perItem;
    gasPerItemLearned = true;
  }

  async function handleRevert(batchRow: BatchRow, revert: ClassifiedChainError): Promise<void> {
    const name = revert.errorName ?? "unknown";
    const context = { batchId: batchRow.id, error: name, args: (revert.errorArgs ?? []).map(String) };
    switch (name) {
      case "EnforcedPause":
        log.warn(context, "minting is paused; the batch waits");
        batchNotBefore.set(batchRow.id, Date.now() + PAUSED_BACKOFF_MS);
        return;
      case "ContributionRewardsInsufficientQuorum":
      case "ContributionRewardsUnauthorizedSigner":
      case "ContributionRewardsSignersNotAscending":
        log.error(context, "the signatures are not a quorum of the current signer set; check the signer keys");
        signerSetCache = undefined;
        batchNotBefore.set(batchRow.id, Date.now() + QUORUM_BACKOFF_MS);
        return;
      case "ContributionRewardsStaleSignerSet":
        signerSetCache = undefined;
        await failAndReconcile(batchRow, name);
        return;
      case "ContributionRewardsCategoryDisabled":
      case "ContributionRewardsUnknownCategory": {
        const category = Number(revert.errorArgs?.[0]);
        const ids = await store.batchItemIds(batchRow.id);
        const rows = await Promise.all(ids.map((id) => store.contributionById(id)));
        const rejected = rows
          .filter((row) => row !== undefined && Number(row.category) === category)
          .map((row) => ({ id: row!.id, reason: "rejected_on_chain" }));
        log.warn({ ...context, rejected: rejected.length }, "category refused on chain; its items are rejected");
        await failAndReconcile(batchRow, name, rejected);
        return;
      }
      case "ContributionRewardsQualityOutOfRange":
      case "ContributionRewardsInvalidContributor": {
        const id = Number(revert.errorArgs?.[0]);
        log.warn(context, "an item is refused on chain; it is rejected");
        await failAndReconcile(batchRow, name, [{ id, reason: "rejected_on_chain" }]);
        return;
      }
      default:
        // Expired, AlreadyRewarded, BatchReplayed, or anything unexpected: give the batch up,
        // read the chain's truth for every item, and queue the rest for a fresh batch.
        log.warn(context, "batch simulation reverted; reconciling its items");
        await failAndReconcile(batchRow, name);
    }
  }

  // ------------------------------------------------------------------ reconcile

  /**
   * Gives a batch up without losing an item: each id the contract says is rewarded is
   * confirmed from its `ContributionRewarded` log (checked against our record), the items
   * given in `rejected` are rejected, and every other item goes back to the queue with its id.
   */
  async function failAndReconcile(
    batchRow: BatchRow,
    reason: string,
    rejected: { id: number; reason: string }[] = [],
    countFailure = true,
  ): Promise<void> {
    const ids = await store.batchItemIds(batchRow.id);
    const onChain = await chain.rewardedAmong(ids.map(BigInt));
    const records: Map<bigint, RewardedRecord> =
      onChain.size > 0 ? await chain.rewardRecords([...onChain]) : new Map<bigint, RewardedRecord>();
    const rewarded = [];
    const conflicts: { id: number; reason: string }[] = [];
    for (const id of onChain) {
      const record = records.get(id);
      if (record === undefined) throw new RetryableError(`contribution ${id} is rewarded but its log is not found yet`);
      const row = await store.contributionById(Number(id));
      if (
        row === undefined ||
        record.contributor.toLowerCase() !== row.contributor.toLowerCase() ||
        record.category !== Number(row.category) ||
        record.quality !== Number(row.quality)
      ) {
        log.error(
          { id: Number(id), txHash: record.transactionHash },
          "id rewarded on chain for a different contribution",
        );
        conflicts.push({ id: Number(id), reason: "id_conflict" });
        continue;
      }
      rewarded.push({
        id: Number(id),
        amount: record.amount,
        txHash: record.transactionHash,
        blockNumber: Number(record.blockNumber),
      });
    }
    const settled = new Set(rewarded.map((r) => r.id));
    await store.failBatch({
      batchId: batchRow.id,
      reason,
      rewarded,
      rejected: [...rejected.filter((r) => !settled.has(r.id)), ...conflicts],
    });
    batchNotBefore.delete(batchRow.id);
    metrics.batches.inc({ outcome: "failed" });
    metrics.minted.inc(rewarded.length);
    if (countFailure) {
      consecutiveFailures += 1;
      batchingNotBefore =
        Date.now() +
        backoffMs({ attempt: consecutiveFailures - 1, baseMs: FAILURE_BACKOFF_BASE_MS, maxMs: FAILURE_BACKOFF_MAX_MS });
    }
    log.warn(
      {
        batchId: batchRow.id,
        reason,
        items: ids.length,
        alreadyRewarded: rewarded.length,
        rejected: rejected.length + conflicts.length,
      },
      "batch given up; its unminted items are queued again with their ids",
    );
  }

  // ------------------------------------------------------------------ monitor

  async function monitor(): Promise<boolean> {
    await chain.init();
    const submitted = await store.batchesInState(["submitted"], 1000);
    if (!recovered) {
      recovered = true;
      const signed = await store.batchesInState(["signed"], 1000);
      log.info({ submitted: submitted.length, signed: signed.length }, "reconciling batches left by the previous run");
    }
    if (submitted.length === 0) return false;
    // The nonce is read before the receipts: a transaction mined in between shows its receipt.
    const latestNonce = await chain.nonce("latest");
    const latest = await chain.latestBlock();
    let did = false;
    for (const batchRow of submitted) {
      if (stopping) break;
      const txs = (await store.transactionsOfBatch(batchRow.id)).filter((tx) => tx.state === "pending");
      if (txs.length === 0) {
        await failAndReconcile(batchRow, "no_live_transaction", [], false);
        did = true;
        continue;
      }
      const receipts = await Promise.all(txs.map((tx) => chain.receipt(tx.hash as Hash)));
      const minedAt = receipts.findIndex((r) => r !== null);
      if (minedAt >= 0) {
        const receipt = receipts[minedAt]!;
        const depth = latest.number - receipt.blockNumber + 1n;
        if (depth < BigInt(config.chain.confirmations)) {
          seenReceipts.set(receipt.transactionHash, receipt.blockNumber);
          continue;
        }
        seenReceipts.delete(receipt.transactionHash);
        if (receipt.status === "success") await confirm(batchRow, receipt);
        else await failAndReconcile(batchRow, "reverted");
        did = true;
        continue;
      }
      for (const tx of txs) {
        const seenAt = seenReceipts.get(tx.hash);
        if (seenAt !== undefined) {
          seenReceipts.delete(tx.hash);
          metrics.transactions.inc({ event: "receipt_lost" });
          log.warn(
            { batchId: batchRow.id, hash: tx.hash, block: seenAt.toString() },
            "receipt lost (reorg); the batch goes out again",
          );
        }
      }
      const nonce = Number(batchRow.nonce);
      if (latestNonce > nonce) {
        // Our nonce was used, and no hash of ours has a receipt: another transaction took it.
        metrics.transactions.inc({ event: "nonce_conflict" });
        await failAndReconcile(batchRow, "nonce_taken", [], false);
        did = true;
        continue;
      }
      if (latest.timestamp > BigInt(batchRow.deadline)) {
        // It can only revert now. Its nonce goes to the next batch, with fees that replace it.
        await failAndReconcile(batchRow, "expired_unmined");
        did = true;
        continue;
      }
      if ((batchNotBefore.get(batchRow.id) ?? 0) > Date.now()) continue;
      const known = await Promise.all(txs.map((tx) => chain.knowsTransaction(tx.hash as Hash)));
      const newest = txs[txs.length - 1]!;
      if (!known.some(Boolean)) {
        // Dropped from the mempool, lost in a reorg, or never arrived: send the newest again.
        metrics.transactions.inc({ event: "rebroadcast" });
        log.warn(
          { batchId: batchRow.id, hash: newest.hash, nonce },
          "transaction unknown to the node; broadcasting it again",
        );
        await rebroadcast(batchRow, newest);
        did = true;
        continue;
      }
      if (Date.now() - newest.created_at >= config.tx.replaceAfterMs) {
        await replace(batchRow, newest);
        did = true;
      }
    }
    return did;
  }

  async function rebroadcast(batchRow: BatchRow, tx: TransactionRow): Promise<void> {
    try {
      await chain.broadcast(tx.raw as Hex);
      await store.markSent(tx.hash);
    } catch (error) {
      if (!(error instanceof ChainCallError)) throw error;
      const { kind } = error.classified;
      if (kind === "already_known") return;
      if (kind === "unreachable") throw error;
      // Refused (nonce used meanwhile, underpriced against another transaction…): the next
      // round reads the nonce and receipts again; replacement handles the price.
      log.warn({ batchId: batchRow.id, hash: tx.hash, kind }, "re-broadcast refused");
      batchNotBefore.set(batchRow.id, Date.now() + config.chain.pollIntervalMs);
    }
  }

  async function replace(batchRow: BatchRow, newest: TransactionRow): Promise<void> {
    const previous = feesOf(newest);
    const market = await chain.marketFees();
    const fees = bumpFees({ previous, market, bumpPercent: config.tx.feeBumpPercent, cap: config.tx.maxFeePerGas });
    if (!isValidReplacement(previous, fees)) {
      log.warn({ batchId: batchRow.id, hash: newest.hash }, "stuck transaction at the fee cap; waiting");
      batchNotBefore.set(batchRow.id, Date.now() + config.tx.replaceAfterMs);
      return;
    }
    const { args, signatures } = payloadOf(batchRow);
    const data = chain.encodeRewardBatch(args, signatures);
    const nonce = Number(batchRow.nonce);
    const { raw, hash } = await chain.signTransaction({ data, nonce, gas: BigInt(newest.gas_limit), fees });
    await store.recordTransaction({
      hash,
      batchId: batchRow.id,
      nonce,
      raw,
      gasLimit: BigInt(newest.gas_limit),
      ...fees,
    });
    metrics.transactions.inc({ event: "replaced" });
    log.warn(
      { batchId: batchRow.id, nonce, replaced: newest.hash, hash, maxFeePerGas: fees.maxFeePerGas.toString() },
      "stuck transaction replaced with higher fees",
    );
    await send(batchRow.id, hash, raw, nonce);
  }

  async function confirm(batchRow: BatchRow, receipt: Awaited<ReturnType<Chain["receipt"]>> & object): Promise<void> {
    const outcome = chain.outcomeOf(receipt);
    const ids = new Set(await store.batchItemIds(batchRow.id));
    const reported = [...outcome.rewarded.map((r) => Number(r.id)), ...outcome.deferred.map((d) => Number(d.id))];
    if (reported.length !== ids.size || reported.some((id) => !ids.has(id)) || outcome.epoch === undefined) {
      throw new NonRetryableError("the receipt's events do not match the batch", {
        details: { batchId: batchRow.id, hash: receipt.transactionHash },
      });
    }
    crash("before-confirm-record");
    await store.confirmBatch({
      batchId: batchRow.id,
      txHash: receipt.transactionHash,
      blockNumber: Number(receipt.blockNumber),
      blockHash: receipt.blockHash,
      gasUsed: receipt.gasUsed,
      epoch: Number(outcome.epoch),
      minted: outcome.minted,
      rewarded: outcome.rewarded.map((r) => ({ id: Number(r.id), amount: r.amount })),
      deferred: outcome.deferred.map((d) => Number(d.id)),
    });
    consecutiveFailures = 0;
    batchLimit = config.batch.maxItems;
    learnGas(receipt.gasUsed, ids.size);
    metrics.batches.inc({ outcome: "confirmed" });
    metrics.minted.inc(outcome.rewarded.length);
    metrics.deferred.inc(outcome.deferred.length);
    metrics.gasUsed.inc(Number(receipt.gasUsed));
    const lagBase = batchRow.created_at;
    metrics.confirmationLag.observe(Math.max(0, (Date.now() - lagBase) / 1000));
    log.info(
      {
        batchId: batchRow.id,
        hash: receipt.transactionHash,
        block: Number(receipt.blockNumber),
        rewarded: outcome.rewarded.length,
        deferred: outcome.deferred.length,
        gasUsed: Number(receipt.gasUsed),
      },
      "batch confirmed",
    );
  }

  // ------------------------------------------------------------------ loop

  async function tick(): Promise<boolean> {
    if (!initialised) {
      initialised = await step("init", async () => {
        await chain.init();
        const chainMax = await chain.maxQualityBps();
        if (policy.maxQualityBps > chainMax) {
          log.warn(
            { policyMax: policy.maxQualityBps, chainMax },
            "the policy allows qualities above the contract's maximum",
          );
        }
        return true;
      });
    }
    // Scoring alone does not hurry the next round (it scores in bulk); chain progress does.
    await step("score", score);
    let did = false;
    if (initialised) {
      did = (await step("monitor", monitor)) || did;
      did = (await step("batch", batch)) || did;
      did = (await step("submit", submit)) || did;
    }
    return did;
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      const did = await tick();
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, did ? 0 : config.chain.pollIntervalMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
  }

  return {
    /** Starts the loop (recovery first: the monitor reconciles what the last run left). */
    start(): void {
      running ??= loop().catch((error: unknown) => log.fatal({ err: describeError(error) }, "pipeline loop crashed"));
    },
    /** Runs one round of every step (tests drive the pipeline this way). */
    tick,
    /** What /healthz reports about the chain side. */
    status(): Record<string, unknown> {
      const failing = [...steps.entries()]
        .filter(([name, s]) => name !== "score" && s.failures > 0)
        .map(([name]) => name);
      return {
        chain: failing.length === 0 && initialised ? "ok" : initialised ? "degraded" : "connecting",
        failingSteps: failing,
        lastChainSuccess: lastChainSuccess === undefined ? null : new Date(lastChainSuccess).toISOString(),
        lastChainError:
          lastChainError === undefined
            ? null
            : { at: new Date(lastChainError.at).toISOString(), message: lastChainError.message },
      };
    },
    /** Shortens the current sleep. */
    wake(): void {
      wakeUp?.();
    },
    /**
     * Stops after the step in flight: a batch being signed is recorded, a transaction being
     * broadcast is sent; anything further is left in the store for the next start.
     */
    async stop(): Promise<void> {
      stopping = true;
      wakeUp?.();
      if (running === undefined) return;
      await Promise.race([running, new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref())]);
    },
  };
}
