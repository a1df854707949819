import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import CreditGovernanceModule from "./CreditGovernance.js";
import CreditRewardsModule from "./CreditRewards.js";

/**
 * The whole system, as deployed to every network. After the parts are wired, the token's admin
 * role moves to the timelock and the deployer renounces it: the deployer keeps nothing.
 */
export default buildModule("CreditSystemModule", (m) => {
  const deployer = m.getAccount(0);
  const { token, timelock, governor } = m.useModule(CreditGovernanceModule);
  const { emission, rewards } = m.useModule(CreditRewardsModule);

  // Every call of both modules (the minter grant among them) completes before the handover.
  const adminRole = m.staticCall(token, "DEFAULT_ADMIN_ROLE", [], 0, { id: "TokenAdminRole" });
  const grantTimelock = m.call(token, "grantRole", [adminRole, timelock], {
    id: "GrantTokenAdminToTimelock",
    after: [CreditGovernanceModule, CreditRewardsModule],
  });
  m.call(token, "renounceRole", [adminRole, deployer], {
    id: "RenounceDeployerTokenAdmin",
    after: [grantTimelock],
  });

  return { token, timelock, governor, emission, rewards };
});
