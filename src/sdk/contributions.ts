/**
 * The packed form of an attested contribution, as ContributionRewards reads it from calldata:
 * one 256-bit word per item (see contracts/libraries/PackedContribution.sol).
 *
 *   bits 255..192 id (uint64) | 191..184 category | 183..168 quality | 167..160 zero | 159..0 contributor
 */
import { getAddress, isAddress } from "viem";
import type { Address, Hex } from "viem";

/** One attested contribution: the fields of the EIP-712 `Contribution` struct. */
export interface Contribution {
  /** The oracle-assigned sequence number: the on-chain exactly-once key. */
  id: bigint;
  contributor: Address;
  category: number;
  /** Basis points, 10_000 = 1.0x. */
  quality: number;
}

const MAX_UINT64 = (1n << 64n) - 1n;

/** The error thrown for a contribution that cannot be packed. */
export class ContributionEncodingError extends Error {
  override name = "ContributionEncodingError";
}

function checkField(value: number | bigint, max: bigint, field: string): bigint {
  const big = BigInt(value);
  if (big < 0n || big > max) throw new ContributionEncodingError(`${field} ${value} is outside 0..${max}`);
  return big;
}

/** Packs a contribution into its calldata word. Throws on out-of-range fields. */
export function packContribution(contribution: Contribution): Hex {
  const id = checkField(contribution.id, MAX_UINT64, "id");
  const category = checkField(contribution.category, 0xffn, "category");
  const quality = checkField(contribution.quality, 0xffffn, "quality");
  if (!isAddress(contribution.contributor, { strict: false })) {
    throw new ContributionEncodingError(`contributor ${String(contribution.contributor)} is not an address`);
  }
  const word = (id << 192n) | (category << 184n) | (quality << 168n) | BigInt(contribution.contributor);
  return `0x${word.toString(16).padStart(64, "0")}`;
}

/** Unpacks a calldata word (the inverse of {@link packContribution}). */
export function unpackContribution(word: Hex | bigint): Contribution {
  const value = typeof word === "bigint" ? word : BigInt(word);
  if (((value >> 160n) & 0xffn) !== 0n) throw new ContributionEncodingError("the pad byte is not zero");
  return {
    id: value >> 192n,
    category: Number((value >> 184n) & 0xffn),
    quality: Number((value >> 168n) & 0xffffn),
    contributor: getAddress(`0x${(value & ((1n << 160n) - 1n)).toString(16).padStart(40, "0")}`),
  };
}
