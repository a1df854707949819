import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { id, Signature } from "ethers";
import type { Address } from "viem";

import {
  buyPremiumTypes,
  creditSpenderDomain,
  creditTokenDomain,
  ethersTypes,
  permitTypes,
  spendTypes,
} from "../../src/sdk/eip712.js";
import type { CreditSpender, CreditToken } from "../../types/ethers-contracts/index.js";
import type { GovernedSystem } from "./fixtures.js";
import { GovernorHelper } from "./governance.js";

/** The `PermitParams` struct the credits contracts take. */
export interface PermitArgs {
  value: bigint;
  deadline: bigint;
  v: number;
  r: string;
  s: string;
}

/** The "no permit" value the BySig paths accept: a zero deadline skips the permit. */
export const NO_PERMIT: PermitArgs = {
  value: 0n,
  deadline: 0n,
  v: 0,
  r: `0x${"00".repeat(32)}`,
  s: `0x${"00".repeat(32)}`,
};

/** A usage reference, as a gateway would derive one from a request id. */
export function usageRef(label: string): string {
  return id(`usage:${label}`);
}

async function chainId(contract: { runner: { provider: unknown } | null }): Promise<bigint> {
  const provider = contract.runner?.provider as { getNetwork(): Promise<{ chainId: bigint }> } | undefined;
  if (!provider) throw new Error("contract without a provider");
  return (await provider.getNetwork()).chainId;
}

/** Signs an ERC-2612 permit of `value` from `owner` to `spender` on the credit token. */
export async function signPermit(
  token: CreditToken,
  owner: HardhatEthersSigner,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<PermitArgs> {
  const domain = creditTokenDomain({
    name: await token.name(),
    chainId: await chainId(token),
    token: (await token.getAddress()) as Address,
  });
  const nonce = await token.nonces(owner.address);
  const message = { owner: owner.address, spender, value, nonce, deadline };
  const sig = Signature.from(await owner.signTypedData(domain, ethersTypes(permitTypes), message));
  return { value, deadline, v: sig.v, r: sig.r, s: sig.s };
}

export interface SpendMessage {
  payer: string;
  amount: bigint;
  usageRef: string;
  nonce: bigint;
  deadline: bigint;
}

export interface PremiumMessage {
  buyer: string;
  tier: number;
  periods: bigint;
  maxCost: bigint;
  nonce: bigint;
  deadline: bigint;
}

/** Where an authorisation is signed for; defaults to the spender's own domain. */
export interface DomainOverrides {
  chainId?: bigint;
  verifyingContract?: string;
}

async function spenderDomain(spender: CreditSpender, overrides: DomainOverrides) {
  return creditSpenderDomain({
    chainId: overrides.chainId ?? (await chainId(spender)),
    spender: (overrides.verifyingContract ?? (await spender.getAddress())) as Address,
  });
}

/** Signs a `Spend` authorisation with `signer` (the payer, unless a test wants a wrong signer). */
export async function signSpend(
  spender: CreditSpender,
  signer: HardhatEthersSigner,
  message: SpendMessage,
  overrides: DomainOverrides = {},
): Promise<string> {
  return signer.signTypedData(await spenderDomain(spender, overrides), ethersTypes(spendTypes), message);
}

/** Signs a `BuyPremium` authorisation with `signer`. */
export async function signBuyPremium(
  spender: CreditSpender,
  signer: HardhatEthersSigner,
  message: PremiumMessage,
  overrides: DomainOverrides = {},
): Promise<string> {
  return signer.signTypedData(await spenderDomain(spender, overrides), ethersTypes(buyPremiumTypes), message);
}

/**
 * Funds the vault the way a real network does: the treasury (timelock) holds the stablecoin
 * (minted to it here, as USDC would be bought or bridged) and a proposal transfers it.
 */
export async function fundVaultThroughGovernance(
  sys: GovernedSystem,
  helpers: NetworkHelpers,
  amount: bigint,
): Promise<void> {
  const timelock = await sys.timelock.getAddress();
  await (await sys.stablecoin.mint(timelock, amount)).wait();
  const proposal = new GovernorHelper(sys.governor, helpers, {
    targets: [await sys.stablecoin.getAddress()],
    values: [0n],
    calldatas: [sys.stablecoin.interface.encodeFunctionData("transfer", [await sys.vault.getAddress(), amount])],
    description: `Fund the redemption vault with ${amount} units of the stablecoin`,
  });
  await proposal.passWith(sys.alice, [sys.alice]);
}
