import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import CreditCreditsModule from "./CreditCredits.js";
import CreditGovernanceModule from "./CreditGovernance.js";
import CreditRewardsModule from "./CreditRewards.js";

/**
 * Builds the whole system around a credits module (which fixes where the stablecoin comes
 * from). After the parts are wired, the token's admin role moves to the timelock and the
 * deployer renounces it: the deployer keeps nothing.
 */
export function buildCreditSystemModule(id: string, creditsModule: typeof CreditCreditsModule) {
  return buildModule(id, (m) => {
    const deployer = m.getAccount(0);
    const { token, timelock, governor } = m.useModule(CreditGovernanceModule);
    const { emission, rewards } = m.useModule(CreditRewardsModule);
    const { spender, vault, stablecoin } = m.useModule(creditsModule);

    // Every call of every module (the minter grant among them) completes before the handover.
    const adminRole = m.staticCall(token, "DEFAULT_ADMIN_ROLE", [], 0, { id: "TokenAdminRole" });
    const grantTimelock = m.call(token, "grantRole", [adminRole, timelock], {
      id: "GrantTokenAdminToTimelock",
      after: [CreditGovernanceModule, CreditRewardsModule, creditsModule],
    });
    m.call(token, "renounceRole", [adminRole, deployer], {
      id: "RenounceDeployerTokenAdmin",
      after: [grantTimelock],
    });

    return { token, timelock, governor, emission, rewards, spender, vault, stablecoin };
  });
}

/**
 * The whole system, as deployed to every real network: the vault pays out the existing
 * stablecoin named by `StablecoinModule.stablecoin`.
 */
export default buildCreditSystemModule("CreditSystemModule", CreditCreditsModule);
