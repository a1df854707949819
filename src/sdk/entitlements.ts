/**
 * What an LLM gateway asks the chain before serving a request: does this account hold premium
 * (which tier, until when), and was this usage reference paid (by whom, how much)?
 *
 * Premium is read from `CreditSpender.premiumOf`. Payments are read from `Spent` events: the
 * client keeps one index of every `Spent` log of the spender, filled incrementally from
 * `fromBlock` (the spender's deployment block) in chunks of `maxBlockRange`, so that a lookup
 * costs at most one `getLogs` over the blocks since the last sync, whatever the number of
 * distinct references asked about (a flood of unknown references cannot make it rescan history).
 *
 * Freshness bound: every answer reflects chain state observed at most `maxAgeMs` ago (positive
 * answers: premium active, reference paid at least the total the caller needs), or
 * `missMaxAgeMs` ago (negative answers, so that a user who has just paid, topped up, or bought
 * premium waits at most that long). A cached premium answer
 * also stops counting as active once its expiry passes, on the chain's clock as estimated from
 * the block read plus the wall-clock time since.
 *
 * NOTE: With `confirmations: 0n` a payment counts as soon as it is in a block; on a chain that
 * can reorganise, set `confirmations` (a reorganised payment is not removed from the index).
 * The index holds one entry per payment since `fromBlock`, in memory: a gateway that runs for
 * long on a busy spender should start from a recent block or persist it.
 */
import type { Address, Hex, PublicClient } from "viem";
import { getAbiItem, getAddress } from "viem";
import { z } from "zod";

import { creditSpenderAbi } from "./abis.js";
import { BaseError } from "./errors.js";

/** How old a positive answer may be, by default. */
export const DEFAULT_MAX_AGE_MS = 15_000;
/** How old a negative answer may be, by default: how long a user who just paid may wait. */
export const DEFAULT_MISS_MAX_AGE_MS = 1_000;
/** Blocks per `getLogs` call, by default (many RPC providers refuse larger ranges). */
export const DEFAULT_MAX_BLOCK_RANGE = 10_000n;
/** Premium answers kept, by default; the oldest is dropped beyond it. */
export const DEFAULT_MAX_ACCOUNTS = 10_000;

/** The input was invalid; retrying the same input will fail again. */
export class EntitlementsInputError extends BaseError {
  override name = "EntitlementsInputError";
  readonly retryable = false;

  constructor(field: string, issues: readonly string[]) {
    super(`Invalid ${field}.`, { metaMessages: issues });
  }
}

/** A call to the chain failed; the same question may succeed later. */
export class EntitlementsRpcError extends BaseError {
  override name = "EntitlementsRpcError";
  readonly retryable = true;

  constructor(call: string, cause: unknown) {
    super(`The RPC call ${call} failed.`, {
      cause,
      metaMessages: [cause instanceof Error ? cause.message.split("\n")[0]! : String(cause)],
    });
  }
}

export type EntitlementsErrorType = EntitlementsInputError | EntitlementsRpcError;

export interface CreateEntitlementsParameters {
  /** A viem public client of the chain the spender is on. */
  client: PublicClient;
  /** The CreditSpender's address. */
  spender: string;
  /** The first block to index `Spent` events from: the spender's deployment block. Default 0. */
  fromBlock?: bigint;
  /** Freshness bound of positive answers, in milliseconds. */
  maxAgeMs?: number;
  /** Freshness bound of negative answers, in milliseconds. */
  missMaxAgeMs?: number;
  /** Blocks per `getLogs` call. */
  maxBlockRange?: bigint;
  /** Blocks a payment must be buried under before it counts. Default 0. */
  confirmations?: bigint;
  /** Premium answers kept in the cache. */
  maxAccounts?: number;
  /** The wall clock, in milliseconds (tests pass their own). */
  now?: () => number;
}

export interface PremiumStatus {
  account: Address;
  /** The tier last bought (0: never). */
  tier: number;
  /** The tier's rank (0: none). */
  rank: number;
  /** The first second (chain time) at which premium is no longer active. */
  expiry: bigint;
  /** Whether premium is active now, on the chain's clock. */
  active: boolean;
  /** When (wall clock, ms) the chain was read for this answer. */
  checkedAt: number;
}

export interface UsagePayment {
  payer: Address;
  amount: bigint;
  burned: bigint;
  toTreasury: bigint;
  blockNumber: bigint;
  transactionHash: Hex;
  logIndex: number;
}

export interface UsageStatus {
  usageRef: Hex;
  /** Whether at least one payment was made for the reference. */
  paid: boolean;
  /** The sum of all payments for it. */
  total: bigint;
  /** Every payment, oldest first. */
  payments: readonly UsagePayment[];
  /** The last block indexed. */
  syncedToBlock: bigint;
  /** When (wall clock, ms) the index was last brought up to date. */
  checkedAt: number;
}

export interface UsageOptions {
  /** The total the caller needs (the price): a smaller total is a negative answer. Default 1 wei. */
  minTotal?: bigint;
}

export interface Entitlements {
  /** Premium status of `account`. Throws {@link EntitlementsInputError} or {@link EntitlementsRpcError}. */
  premium(account: string): Promise<PremiumStatus>;
  /**
   * Payments for `usageRef` (32 bytes, hex). An answer whose total is below `options.minTotal`
   * counts as negative, so a top-up is seen within the miss bound. Throws
   * {@link EntitlementsInputError} or {@link EntitlementsRpcError}.
   */
  usage(usageRef: string, options?: UsageOptions): Promise<UsageStatus>;
  /** Brings the payment index up to date now (for instance at start-up). */
  sync(): Promise<void>;
}

export type CreateEntitlementsReturnType = Entitlements;
export type CreateEntitlementsErrorType = EntitlementsInputError;

const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected an address: 0x and 40 hex digits")
  .transform((value) => getAddress(value));

const usageRefSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "expected a usage reference: 0x and 64 hex digits")
  .transform((value) => value.toLowerCase() as Hex);

const minTotalSchema = z.bigint().positive();

const optionsSchema = z.object({
  spender: addressSchema,
  fromBlock: z.bigint().nonnegative().default(0n),
  maxAgeMs: z.number().int().nonnegative().default(DEFAULT_MAX_AGE_MS),
  missMaxAgeMs: z.number().int().nonnegative().default(DEFAULT_MISS_MAX_AGE_MS),
  maxBlockRange: z.bigint().positive().default(DEFAULT_MAX_BLOCK_RANGE),
  confirmations: z.bigint().nonnegative().default(0n),
  maxAccounts: z.number().int().positive().default(DEFAULT_MAX_ACCOUNTS),
});

function parse<T extends z.ZodType>(schema: T, value: unknown, field: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new EntitlementsInputError(
      field,
      result.error.issues.map((issue) => [...issue.path.map(String), issue.message].join(": ")),
    );
  }
  return result.data;
}

interface CachedPremium {
  account: Address;
  tier: number;
  rank: number;
  expiry: bigint;
  /** The timestamp of the block read. */
  chainTime: bigint;
  fetchedAt: number;
}

const spentEvent = getAbiItem({ abi: creditSpenderAbi, name: "Spent" });

/**
 * Creates the entitlement checks of one CreditSpender deployment, with their caches.
 * Throws {@link EntitlementsInputError} for invalid options.
 */
export function createEntitlements(parameters: CreateEntitlementsParameters): CreateEntitlementsReturnType {
  const { client, now = Date.now } = parameters;
  // The schema keeps its own keys only (zod strips the others: the client and the clock).
  const options = parse(optionsSchema, parameters, "entitlements options");

  const accounts = new Map<Address, CachedPremium>();
  const payments = new Map<Hex, UsagePayment[]>();
  let syncedTo = options.fromBlock - 1n;
  let syncedAt = Number.NEGATIVE_INFINITY;
  let syncing: Promise<void> | undefined;

  async function rpc<T>(call: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (cause) {
      throw new EntitlementsRpcError(call, cause);
    }
  }

  function premiumStatus(entry: CachedPremium): PremiumStatus {
    const elapsed = BigInt(Math.max(0, Math.floor((now() - entry.fetchedAt) / 1000)));
    return {
      account: entry.account,
      tier: entry.tier,
      rank: entry.rank,
      expiry: entry.expiry,
      active: entry.expiry > entry.chainTime + elapsed,
      checkedAt: entry.fetchedAt,
    };
  }

  async function fetchPremium(account: Address): Promise<CachedPremium> {
    const fetchedAt = now();
    const block = await rpc("eth_getBlockByNumber", () => client.getBlock({ blockTag: "latest" }));
    const view = await rpc("premiumOf", () =>
      client.readContract({
        address: options.spender,
        abi: creditSpenderAbi,
        functionName: "premiumOf",
        args: [account],
        blockNumber: block.number,
      }),
    );
    return { account, tier: view.tier, rank: view.rank, expiry: view.expiry, chainTime: block.timestamp, fetchedAt };
  }

  async function premium(account: string): Promise<PremiumStatus> {
    const address = parse(addressSchema, account, "account");
    const cached = accounts.get(address);
    if (cached) {
      const status = premiumStatus(cached);
      const maxAge = status.active ? options.maxAgeMs : options.missMaxAgeMs;
      if (now() - cached.fetchedAt <= maxAge) return status;
    }
    const entry = await fetchPremium(address);
    accounts.delete(address); // re-inserted last: the map's order is the eviction order
    accounts.set(address, entry);
    if (accounts.size > options.maxAccounts) {
      const oldest = accounts.keys().next();
      if (!oldest.done) accounts.delete(oldest.value);
    }
    return premiumStatus(entry);
  }

  async function runSync(): Promise<void> {
    const startedAt = now();
    const latest = await rpc("eth_blockNumber", () => client.getBlockNumber({ cacheTime: 0 }));
    const head = latest - options.confirmations;
    for (let from = syncedTo + 1n; from <= head; from += options.maxBlockRange) {
      const to = from + options.maxBlockRange - 1n < head ? from + options.maxBlockRange - 1n : head;
      const logs = await rpc("eth_getLogs", () =>
        client.getLogs({ address: options.spender, event: spentEvent, fromBlock: from, toBlock: to, strict: true }),
      );
      for (const log of logs) {
        const ref = log.args.usageRef.toLowerCase() as Hex;
        const list = payments.get(ref) ?? [];
        list.push({
          payer: getAddress(log.args.payer),
          amount: log.args.amount,
          burned: log.args.burned,
          toTreasury: log.args.toTreasury,
          blockNumber: log.blockNumber,
          transactionHash: log.transactionHash,
          logIndex: log.logIndex,
        });
        payments.set(ref, list);
      }
      syncedTo = to; // progress is kept if a later chunk fails
    }
    syncedAt = startedAt;
  }

  function sync(): Promise<void> {
    // Concurrent callers share one sync.
    syncing ??= runSync().finally(() => {
      syncing = undefined;
    });
    return syncing;
  }

  function totalOf(ref: Hex): bigint {
    return (payments.get(ref) ?? []).reduce((sum, payment) => sum + payment.amount, 0n);
  }

  async function usage(usageRef: string, { minTotal = 1n }: UsageOptions = {}): Promise<UsageStatus> {
    const ref = parse(usageRefSchema, usageRef, "usageRef");
    const needed = parse(minTotalSchema, minTotal, "minTotal");
    if (now() - syncedAt > options.maxAgeMs) await sync();
    if (totalOf(ref) < needed && now() - syncedAt > options.missMaxAgeMs) await sync();
    const list = payments.get(ref) ?? [];
    return {
      usageRef: ref,
      paid: list.length > 0,
      total: totalOf(ref),
      payments: [...list],
      syncedToBlock: syncedTo,
      checkedAt: syncedAt,
    };
  }

  return { premium, usage, sync };
}
