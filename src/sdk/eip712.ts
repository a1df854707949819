/**
 * The one definition of every EIP-712 type in the system, shared by the oracle, the SDK, the
 * scripts and the tests. Each entry is versioned data: the domain's name/version source and the
 * types, in the shape viem's `signTypedData` and ethers' `signTypedData` both accept.
 *
 * The types must match the typehash strings in the contracts byte for byte; the tests sign with
 * these definitions and the contracts verify, so a drift fails the suite.
 */
import type { Address } from "viem";

/** ERC-2612 `Permit`, as hashed by OpenZeppelin's ERC20Permit (CreditToken). */
export const permitTypes = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** ERC-5805 `Delegation`, as hashed by OpenZeppelin's Votes (CreditToken.delegateBySig). */
export const delegationTypes = {
  Delegation: [
    { name: "delegatee", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "expiry", type: "uint256" },
  ],
} as const;

/** EIP-712 `Contribution`: one attested contribution (ContributionRewards). */
const contributionFields = [
  { name: "id", type: "uint64" },
  { name: "contributor", type: "address" },
  { name: "category", type: "uint8" },
  { name: "quality", type: "uint16" },
] as const;

/** EIP-712 `RewardBatch`: what a quorum signs to reward a batch (ContributionRewards.rewardBatch). */
export const rewardBatchTypes = {
  RewardBatch: [
    { name: "contributions", type: "Contribution[]" },
    { name: "manifest", type: "bytes32" },
    { name: "signerSetVersion", type: "uint64" },
    { name: "deadline", type: "uint256" },
  ],
  Contribution: contributionFields,
} as const;

/** EIP-712 `RewardAttestation`: one contribution (ContributionRewards.rewardContribution). */
export const rewardAttestationTypes = {
  RewardAttestation: [
    { name: "contribution", type: "Contribution" },
    { name: "signerSetVersion", type: "uint64" },
    { name: "deadline", type: "uint256" },
  ],
  Contribution: contributionFields,
} as const;

/** EIP-712 `Spend`: a payer's authorisation of a pay-per-use payment (CreditSpender.spendBySig). */
export const spendTypes = {
  Spend: [
    { name: "payer", type: "address" },
    { name: "amount", type: "uint256" },
    { name: "usageRef", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** EIP-712 `BuyPremium`: a buyer's authorisation of a premium purchase (CreditSpender.buyPremiumBySig). */
export const buyPremiumTypes = {
  BuyPremium: [
    { name: "buyer", type: "address" },
    { name: "tier", type: "uint8" },
    { name: "periods", type: "uint256" },
    { name: "maxCost", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** The EIP-712 domain of a contract, in the field set OpenZeppelin's EIP712 uses. */
export interface ContractDomain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: Address;
}

/** Parameters of {@link creditTokenDomain}. */
export interface CreditTokenDomainParameters {
  /** The token's ERC-20 name: ERC20Permit uses it as the EIP-712 domain name. */
  name: string;
  chainId: bigint;
  token: Address;
}

/**
 * The EIP-712 domain of a CreditToken deployment (permit and delegateBySig). OpenZeppelin's
 * ERC20Permit fixes the version to "1".
 */
export function creditTokenDomain({ name, chainId, token }: CreditTokenDomainParameters): ContractDomain {
  return { name, version: "1", chainId, verifyingContract: token };
}

/** Parameters of {@link contributionRewardsDomain}. */
export interface ContributionRewardsDomainParameters {
  chainId: bigint;
  rewards: Address;
}

/** The EIP-712 domain of a ContributionRewards deployment (name and version fixed in its constructor). */
export function contributionRewardsDomain({ chainId, rewards }: ContributionRewardsDomainParameters): ContractDomain {
  return { name: "ContributionRewards", version: "1", chainId, verifyingContract: rewards };
}

/** Parameters of {@link creditSpenderDomain}. */
export interface CreditSpenderDomainParameters {
  chainId: bigint;
  spender: Address;
}

/** The EIP-712 domain of a CreditSpender deployment (name and version fixed in its constructor). */
export function creditSpenderDomain({ chainId, spender }: CreditSpenderDomainParameters): ContractDomain {
  return { name: "CreditSpender", version: "1", chainId, verifyingContract: spender };
}

/** One field of an EIP-712 struct. */
export interface TypedDataField {
  name: string;
  type: string;
}

/**
 * The same types as mutable arrays, for ethers' `signTypedData(domain, types, value)`, whose
 * signature does not accept the readonly tuples viem's inference needs.
 */
export function ethersTypes<T extends Record<string, readonly TypedDataField[]>>(
  types: T,
): { [K in keyof T]: TypedDataField[] } {
  return Object.fromEntries(
    Object.entries(types).map(([name, fields]) => [name, fields.map((field) => ({ ...field }))]),
  ) as { [K in keyof T]: TypedDataField[] };
}
