import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import CreditGovernanceModule from "./CreditGovernance.js";

/**
 * The whole system, as deployed to every network. Later parts (rewards, emission, credits)
 * join here; each is wired to the timelock, and the deployer keeps nothing.
 */
export default buildModule("CreditSystemModule", (m) => {
  const { token, timelock, governor } = m.useModule(CreditGovernanceModule);
  return { token, timelock, governor };
});
