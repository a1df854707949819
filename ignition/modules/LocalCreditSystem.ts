import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { buildCreditCreditsModule } from "./CreditCredits.js";
import { buildCreditSystemModule } from "./CreditSystem.js";
import TestStablecoinModule from "./TestStablecoin.js";

const USD = 10n ** 6n;

const LocalSystemModule = buildCreditSystemModule("CreditSystemModule", buildCreditCreditsModule(TestStablecoinModule));

/**
 * LOCAL NETWORKS ONLY (`npm start`, a `hardhat node`): the whole system with TestStablecoin as
 * the stablecoin, and the vault given reserves to redeem against at once (on a real network
 * the treasury funds it through a proposal). Every other part, and every parameter key, is the
 * same as CreditSystemModule's.
 */
export default buildModule("LocalCreditSystemModule", (m) => {
  const system = m.useModule(LocalSystemModule);
  m.call(system.stablecoin, "mint", [system.vault, m.getParameter("vaultReserves", 100_000n * USD)], {
    id: "FundVault",
  });
  return system;
});
