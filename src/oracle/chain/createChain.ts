/**
 * The oracle's view of the chain, over viem: reads (block, epoch, signer set, rewarded ids,
 * receipts), gas and fee estimation, local signing of transactions with the submitter key,
 * and raw broadcast. Every RPC failure surfaces as a {@link RetryableError} with its
 * classification, so the pipeline decides what to do by kind, never by message.
 */
import type { Address, Hash, Hex, LocalAccount, PublicClient, Transport, TransactionReceipt } from "viem";
import {
  createPublicClient,
  encodeFunctionData,
  keccak256,
  parseEventLogs,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { contributionRewardsDomain } from "../../sdk/eip712.js";
import type { ContractDomain } from "../../sdk/eip712.js";
import type { RewardBatchArgs } from "../../sdk/signRewardBatch.js";
import type { Secret } from "../config/secret.js";
import { NonRetryableError, RetryableError } from "../errors.js";
import type { Fees } from "../domain/fees.js";
import type { OracleAbis } from "./abis.js";
import { classifyChainError } from "./classifyError.js";
import type { ClassifiedChainError } from "./classifyError.js";

/** isRewarded reads in flight at once during reconciliation. */
const READ_CONCURRENCY = 16;
/** Contribution ids per eth_getLogs topic filter. */
const LOG_ID_CHUNK = 100;

export class ChainCallError extends RetryableError {
  override name = "ChainCallError";
  readonly classified: ClassifiedChainError;

  constructor(operation: string, classified: ClassifiedChainError, cause: unknown) {
    super(`${operation}: ${classified.kind}${classified.errorName ? ` ${classified.errorName}` : ""}`, {
      cause,
      details: { operation, kind: classified.kind, errorName: classified.errorName },
    });
    this.classified = classified;
  }
}

export interface BatchOutcome {
  status: "success" | "reverted";
  blockNumber: bigint;
  blockHash: Hash;
  gasUsed: bigint;
  transactionHash: Hash;
  epoch: bigint | undefined;
  minted: bigint;
  rewarded: { id: bigint; contributor: Address; category: number; quality: number; amount: bigint }[];
  deferred: { id: bigint }[];
}

export interface RewardedRecord {
  id: bigint;
  contributor: Address;
  category: number;
  quality: number;
  amount: bigint;
  transactionHash: Hash;
  blockNumber: bigint;
}

export interface CreateChainParameters {
  transport: Transport;
  abis: OracleAbis;
  rewardsAddress: Address;
  submitterKey: Secret<Hex>;
  signerKeys: readonly Secret<Hex>[];
  /** First block to search for reward logs (the deployment block). */
  fromBlock: bigint;
  expectedChainId?: number | undefined;
  pollingIntervalMs?: number;
}

/**
 * The SDK packs each contribution as a 32-byte hex word (what ethers takes); the ABI type is
 * the user-defined value type `PackedContribution` (uint256), which viem encodes from a bigint.
 */
function toCallArgs(args: RewardBatchArgs) {
  return { ...args, contributions: args.contributions.map((word) => BigInt(word)) };
}

export type Chain = ReturnType<typeof createChain>;

export function createChain({
  transport,
  abis,
  rewardsAddress,
  submitterKey,
  signerKeys,
  fromBlock,
  expectedChainId,
  pollingIntervalMs = 1000,
}: CreateChainParameters) {
  const client: PublicClient = createPublicClient({ transport, pollingInterval: pollingIntervalMs });
  const submitter: LocalAccount = privateKeyToAccount(submitterKey.reveal());
  const signers: LocalAccount[] = signerKeys.map((key) => privateKeyToAccount(key.reveal()));

  async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw new ChainCallError(operation, classifyChainError(error), error);
    }
  }

  let chainId: number | undefined;
  let emissionAddress: Address | undefined;

  async function init(): Promise<{ chainId: number; emissionAddress: Address; domain: ContractDomain }> {
    chainId ??= await call("eth_chainId", () => client.getChainId());
    if (expectedChainId !== undefined && chainId !== expectedChainId) {
      throw new NonRetryableError(`the RPC serves chain ${chainId}, the config expects ${expectedChainId}`);
    }
    emissionAddress ??= await call("emission()", () =>
      client.readContract({ address: rewardsAddress, abi: abis.rewards, functionName: "emission" }),
    );
    return {
      chainId,
      emissionAddress,
      domain: contributionRewardsDomain({ chainId: BigInt(chainId), rewards: rewardsAddress }),
    };
  }

  function requireInit(): { chainId: number; emissionAddress: Address } {
    if (chainId === undefined || emissionAddress === undefined) throw new RetryableError("chain not initialised yet");
    return { chainId, emissionAddress };
  }

  return {
    client,
    submitter,
    signers,
    rewardsAddress,
    init,

    async latestBlock(): Promise<{ number: bigint; timestamp: bigint; hash: Hash }> {
      const block = await call("eth_getBlockByNumber", () => client.getBlock({ blockTag: "latest" }));
      return { number: block.number, timestamp: block.timestamp, hash: block.hash };
    },

    async currentEpoch(): Promise<bigint> {
      const { emissionAddress: address } = requireInit();
      return call("currentEpoch()", () =>
        client.readContract({ address, abi: abis.emission, functionName: "currentEpoch" }),
      );
    },

    async signerSet(): Promise<{ signers: readonly Address[]; threshold: bigint; version: bigint }> {
      const [set, threshold, version] = await call("signerSet()", () =>
        client.readContract({ address: rewardsAddress, abi: abis.rewards, functionName: "signerSet" }),
      );
      return { signers: set, threshold, version };
    },

    async maxQualityBps(): Promise<number> {
      return call("maxQualityBps()", () =>
        client.readContract({ address: rewardsAddress, abi: abis.rewards, functionName: "maxQualityBps" }),
      );
    },

    async nonce(blockTag: "latest" | "pending"): Promise<number> {
      return call("eth_getTransactionCount", () =>
        client.getTransactionCount({ address: submitter.address, blockTag }),
      );
    },

    encodeRewardBatch(args: RewardBatchArgs, signatures: readonly Hex[]): Hex {
      return encodeFunctionData({
        abi: abis.rewards,
        functionName: "rewardBatch",
        args: [toCallArgs(args), [...signatures]],
      });
    },

    /** Estimates the batch's gas; a revert comes back classified with the contract's error. */
    async estimateRewardBatchGas(args: RewardBatchArgs, signatures: readonly Hex[]): Promise<bigint> {
      return call("eth_estimateGas", () =>
        client.estimateContractGas({
          address: rewardsAddress,
          abi: abis.rewards,
          functionName: "rewardBatch",
          args: [toCallArgs(args), [...signatures]],
          account: submitter,
        }),
      );
    },

    /** Simulates the batch with `gas` (one execution); a revert comes back classified. */
    async simulateRewardBatch(args: RewardBatchArgs, signatures: readonly Hex[], gas: bigint): Promise<void> {
      await call("eth_call", () =>
        client.simulateContract({
          address: rewardsAddress,
          abi: abis.rewards,
          functionName: "rewardBatch",
          args: [toCallArgs(args), [...signatures]],
          account: submitter,
          gas,
        }),
      );
    },

    async marketFees(): Promise<Fees> {
      const fees = await call("fees", () => client.estimateFeesPerGas({ type: "eip1559", chain: null }));
      return { maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas };
    },

    /** Signs a transaction locally; returns its raw bytes and hash (known before broadcast). */
    async signTransaction(p: { data: Hex; nonce: number; gas: bigint; fees: Fees }): Promise<{ raw: Hex; hash: Hash }> {
      const { chainId: id } = requireInit();
      if (submitter.signTransaction === undefined) throw new NonRetryableError("the submitter account cannot sign");
      const raw = await submitter.signTransaction({
        type: "eip1559",
        chainId: id,
        to: rewardsAddress,
        data: p.data,
        nonce: p.nonce,
        gas: p.gas,
        maxFeePerGas: p.fees.maxFeePerGas,
        maxPriorityFeePerGas: p.fees.maxPriorityFeePerGas,
        value: 0n,
      });
      return { raw, hash: keccak256(raw) };
    },

    async broadcast(raw: Hex): Promise<Hash> {
      return call("eth_sendRawTransaction", () => client.sendRawTransaction({ serializedTransaction: raw }));
    },

    async receipt(hash: Hash): Promise<TransactionReceipt | null> {
      try {
        return await client.getTransactionReceipt({ hash });
      } catch (error) {
        if (error instanceof TransactionReceiptNotFoundError) return null;
        throw new ChainCallError("eth_getTransactionReceipt", classifyChainError(error), error);
      }
    },

    /** Whether the node knows the transaction (pending or mined). */
    async knowsTransaction(hash: Hash): Promise<boolean> {
      try {
        await client.getTransaction({ hash });
        return true;
      } catch (error) {
        if (error instanceof TransactionNotFoundError) return false;
        throw new ChainCallError("eth_getTransactionByHash", classifyChainError(error), error);
      }
    },

    /** Reads what a mined batch did from its receipt's logs. */
    outcomeOf(receipt: TransactionReceipt): BatchOutcome {
      const logs = parseEventLogs({
        abi: abis.rewards,
        logs: receipt.logs.filter((log) => log.address.toLowerCase() === rewardsAddress.toLowerCase()),
      });
      const outcome: BatchOutcome = {
        status: receipt.status,
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash,
        gasUsed: receipt.gasUsed,
        transactionHash: receipt.transactionHash,
        epoch: undefined,
        minted: 0n,
        rewarded: [],
        deferred: [],
      };
      for (const log of logs) {
        if (log.eventName === "ContributionRewarded") {
          const a = log.args;
          outcome.rewarded.push({
            id: a.contributionId,
            contributor: a.contributor,
            category: a.category,
            quality: a.quality,
            amount: a.amount,
          });
        } else if (log.eventName === "ContributionDeferred") {
          outcome.deferred.push({ id: log.args.contributionId });
        } else if (log.eventName === "BatchProcessed") {
          outcome.epoch = log.args.epoch;
          outcome.minted = log.args.minted;
        }
      }
      return outcome;
    },

    /** Which of `ids` the contract has rewarded (the exactly-once truth). */
    async rewardedAmong(ids: readonly bigint[]): Promise<Set<bigint>> {
      const rewarded = new Set<bigint>();
      for (let i = 0; i < ids.length; i += READ_CONCURRENCY) {
        const part = ids.slice(i, i + READ_CONCURRENCY);
        const flags = await Promise.all(
          part.map((id) =>
            call("isRewarded()", () =>
              client.readContract({
                address: rewardsAddress,
                abi: abis.rewards,
                functionName: "isRewarded",
                args: [id],
              }),
            ),
          ),
        );
        part.forEach((id, j) => {
          if (flags[j]) rewarded.add(id);
        });
      }
      return rewarded;
    },

    /** The `ContributionRewarded` records of `ids` (indexed by id), wherever they were minted. */
    async rewardRecords(ids: readonly bigint[]): Promise<Map<bigint, RewardedRecord>> {
      const records = new Map<bigint, RewardedRecord>();
      for (let i = 0; i < ids.length; i += LOG_ID_CHUNK) {
        const part = ids.slice(i, i + LOG_ID_CHUNK);
        const logs = await call("eth_getLogs", () =>
          client.getContractEvents({
            address: rewardsAddress,
            abi: abis.rewards,
            eventName: "ContributionRewarded",
            args: { contributionId: [...part] },
            fromBlock,
            toBlock: "latest",
          }),
        );
        for (const log of logs) {
          const a = log.args;
          if (a.contributionId === undefined || log.blockNumber === null || log.transactionHash === null) continue;
          records.set(a.contributionId, {
            id: a.contributionId,
            contributor: a.contributor!,
            category: a.category!,
            quality: a.quality!,
            amount: a.amount!,
            transactionHash: log.transactionHash,
            blockNumber: log.blockNumber,
          });
        }
      }
      return records;
    },
  };
}
