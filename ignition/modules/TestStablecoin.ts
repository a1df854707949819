import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import CreditGovernanceModule from "./CreditGovernance.js";

const USD = 10n ** 6n;

/**
 * LOCAL NETWORKS ONLY: deploys TestStablecoin (6 decimals, open mint) as the stablecoin and
 * gives the treasury (the timelock) some, so that governance can fund the vault as it would
 * with real USDC. Used by LocalCreditSystemModule alone; CreditSystemModule, the module for
 * real networks, takes a real stablecoin's address (StablecoinModule) and never imports this.
 */
export default buildModule("TestStablecoinModule", (m) => {
  const { timelock } = m.useModule(CreditGovernanceModule);
  const stablecoin = m.contract("TestStablecoin");
  m.call(stablecoin, "mint", [timelock, m.getParameter("treasuryStablecoin", 1_000_000n * USD)], {
    id: "MintToTreasury",
  });
  return { stablecoin };
});
