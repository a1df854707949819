import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { CallableContractFuture, IgnitionModule } from "@nomicfoundation/ignition-core";

import { DEFAULT_TIERS } from "../../src/sdk/tiers.js";
import CreditGovernanceModule from "./CreditGovernance.js";
import CreditRewardsModule from "./CreditRewards.js";
import StablecoinModule from "./Stablecoin.js";

const TOKEN = 10n ** 18n;

/** A module that provides the stablecoin the vault pays out: StablecoinModule or, locally, TestStablecoinModule. */
export type StablecoinSource = IgnitionModule<string, string, { stablecoin: CallableContractFuture<string> }>;

/**
 * Builds the module that deploys CreditSpender and RedemptionVault, both owned by the timelock,
 * which is also the spender's treasury. The stablecoin comes from `stablecoinSource`: Ignition
 * modules cannot branch on a parameter's value, so the choice between a real stablecoin and the
 * local stand-in is the choice of module (see docs/credits.md).
 *
 * The redemption rate has no default: it is in the stablecoin's smallest units per whole
 * credit, so its meaning depends on the stablecoin's decimals, and every network states it.
 */
export function buildCreditCreditsModule(stablecoinSource: StablecoinSource) {
  return buildModule("CreditCreditsModule", (m) => {
    const { token, timelock } = m.useModule(CreditGovernanceModule);
    const { emission } = m.useModule(CreditRewardsModule);
    const { stablecoin } = m.useModule(stablecoinSource);
    const guardian = m.getParameter("guardian", "0x0000000000000000000000000000000000000000");

    const spender = m.contract("CreditSpender", [
      token,
      emission,
      timelock, // owner
      timelock, // treasury
      guardian,
      m.getParameter("burnShareBps", 5_000n),
      DEFAULT_TIERS.map(({ price, rank }) => ({ price, rank })),
    ]);

    const vault = m.contract("RedemptionVault", [
      token,
      emission,
      stablecoin,
      timelock, // owner
      guardian,
      m.getParameter("redemptionRate"),
      m.getParameter("epochRedemptionCap", 100_000n * TOKEN),
    ]);

    return { spender, vault, stablecoin };
  });
}

/** The credits contracts of a real network, paying out the stablecoin at the `stablecoin` address. */
export default buildCreditCreditsModule(StablecoinModule);
