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

  // The supply policy (see IEmissionController.Policy and docs/tokenomics.md). The budget
  // ceiling also follows from the annual inflation cap: 2% of ~400M tokens a year is ~154k a week.
  const emission = m.contract("EmissionController", [
    token,
    timelock,
    {
      epochLength: m.getParameter("epochLength", 7n * DAY),
      maxBudgetStepBps: m.getParameter("maxBudgetStepBps", 1_250n),
      annualInflationBps: m.getParameter("annualInflationBps", 200n),
      recycleBps: m.getParameter("recycleBps", 5_000n),
      maxScaleStepBps: m.getParameter("maxScaleStepBps", 2_500n),
      minRewardScale: m.getParameter("minRewardScale", 10n ** 17n),
      budgetFloor: m.getParameter("budgetFloor", 10_000n * TOKEN),
      budgetMax: m.getParameter("budgetMax", 10_000_000n * TOKEN),
    },
    m.getParameter("initialBudget", 150_000n * TOKEN),
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
