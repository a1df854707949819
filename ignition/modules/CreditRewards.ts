import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { BASE_REWARD_LIMITS, DEFAULT_CATEGORIES } from "../../src/sdk/categories.js";
import CreditGovernanceModule from "./CreditGovernance.js";

const DAY = 24n * 60n * 60n;
const TOKEN = 10n ** 18n;

/**
 * Deploys the EmissionController and ContributionRewards, both owned by the timelock, and
 * grants MINTER_ROLE to ContributionRewards (the token's only minter). The oracle signer set
 * and threshold are parameters: the local file names local accounts, testnet files the
 * operator's oracle keys.
 */
export default buildModule("CreditRewardsModule", (m) => {
  const deployer = m.getAccount(0);
  const { token, timelock } = m.useModule(CreditGovernanceModule);

  const emission = m.contract("EmissionController", [
    token,
    timelock,
    m.getParameter("epochLength", 7n * DAY),
    m.getParameter("epochBudget", 150_000n * TOKEN),
    m.getParameter("annualInflationBps", 200n),
  ]);

  const rewards = m.contract("ContributionRewards", [
    token,
    emission,
    timelock,
    m.getParameter("guardian", "0x0000000000000000000000000000000000000000"),
    m.getParameter("minBaseReward", BASE_REWARD_LIMITS.min),
    m.getParameter("maxBaseReward", BASE_REWARD_LIMITS.max),
    m.getParameter("maxQualityBps", 20_000n),
    m.getParameter<string[]>("oracleSigners"),
    m.getParameter("oracleThreshold"),
    DEFAULT_CATEGORIES.map(({ name, baseReward, reserveBps }) => ({ name, baseReward, reserveBps })),
  ]);

  const minterRole = m.staticCall(token, "MINTER_ROLE");
  m.call(token, "grantRole", [minterRole, rewards], { id: "GrantMinterToRewards", from: deployer });

  return { emission, rewards };
});
