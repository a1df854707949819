import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";
import { keccak256, toHex } from "viem";
import type { LocalAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import CreditSystemModule from "../../ignition/modules/CreditSystem.js";
import type {
  ContributionRewards,
  CreditGovernor,
  CreditSpender,
  CreditToken,
  EmissionController,
  RedemptionVault,
  TestStablecoin,
  TimelockController,
} from "../../types/ethers-contracts/index.js";

export const TOKEN = 10n ** 18n;
export const HOUR = 60n * 60n;
export const DAY = 24n * HOUR;
/** One unit of the 6-decimal test stablecoin. */
export const USD = 10n ** 6n;

/** Governance parameters used by the tests: short but realistic periods. */
export const TEST_GOVERNANCE = {
  supplyCap: 1_000_000_000n * TOKEN,
  treasuryAllocation: 300_000_000n * TOKEN,
  timelockMinDelay: 1n * DAY,
  votingDelay: 1n * HOUR,
  votingPeriod: 3n * DAY,
  proposalThreshold: 100_000n * TOKEN,
  quorumPercent: 4n,
  voteExtension: 1n * DAY,
} as const;

/** Emission and rewards parameters used by the tests. */
export const TEST_REWARDS = {
  epochLength: 7n * DAY,
  initialBudget: 150_000n * TOKEN,
  annualInflationBps: 200n,
  maxQualityBps: 20_000n,
  oracleThreshold: 3n,
} as const;

/** Spending and redemption parameters used by the tests. */
export const TEST_CREDITS = {
  burnShareBps: 5_000n,
  /** 0.01 tUSD (10,000 units of 1e-6) per whole CRED. */
  redemptionRate: 10_000n,
  epochRedemptionCap: 100_000n * TOKEN,
} as const;

/** Deterministic oracle keys for tests (never used outside a local network). */
export function oracleAccounts(count: number, label = "oracle"): LocalAccount[] {
  return Array.from({ length: count }, (_, i) => privateKeyToAccount(keccak256(toHex(`${label}-${i}`))));
}

/** Genesis balances of the test holders. Quorum is 4% of ~400M, about 16M. */
export const GENESIS = {
  alice: 50_000_000n * TOKEN,
  bob: 30_000_000n * TOKEN,
  carol: 20_000_000n * TOKEN,
  dave: 1_000_000n * TOKEN,
  eve: 50_000n * TOKEN, // below the proposal threshold
} as const;

export interface GovernedSystem {
  token: CreditToken;
  timelock: TimelockController;
  governor: CreditGovernor;
  emission: EmissionController;
  rewards: ContributionRewards;
  spender: CreditSpender;
  vault: RedemptionVault;
  /** The 6-decimal stand-in for USDC, deployed by the fixture before the system. */
  stablecoin: TestStablecoin;
  /** The five oracle signers of the deployed set; any three form a quorum. */
  oracles: LocalAccount[];
  deployer: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  dave: HardhatEthersSigner;
  eve: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  organiser: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
}

/**
 * Fixture for `networkHelpers.loadFixture`: deploys the system through the real Ignition module
 * (the one every real network uses) with the test parameters and a 6-decimal test stablecoin
 * deployed first, and delegates alice, bob, carol and dave to themselves.
 */
export async function deployGovernedSystem(connection: NetworkConnection): Promise<GovernedSystem> {
  const { ethers, ignition } = connection;
  const [deployer, alice, bob, carol, dave, eve, guardian, organiser, outsider] = await ethers.getSigners();
  if (!deployer || !alice || !bob || !carol || !dave || !eve || !guardian || !organiser || !outsider) {
    throw new Error("the test network needs at least 9 accounts");
  }
  const oracles = oracleAccounts(5);
  // The one stand-in the tests use: an external token. Real networks name an existing stablecoin.
  const stablecoin = await ethers.deployContract("TestStablecoin", [], organiser);
  const deployed = await ignition.deploy(CreditSystemModule, {
    displayUi: false,
    parameters: {
      CreditGovernanceModule: {
        ...TEST_GOVERNANCE,
        genesisRecipients: [alice.address, bob.address, carol.address, dave.address, eve.address],
        genesisAmounts: [GENESIS.alice, GENESIS.bob, GENESIS.carol, GENESIS.dave, GENESIS.eve],
        proposalGuardian: guardian.address,
      },
      CreditRewardsModule: {
        ...TEST_REWARDS,
        guardian: guardian.address,
        oracleSigners: oracles.map((o) => o.address),
      },
      CreditCreditsModule: { ...TEST_CREDITS, guardian: guardian.address },
      StablecoinModule: { stablecoin: await stablecoin.getAddress() },
    },
  });
  const token = await ethers.getContractAt("CreditToken", await deployed.token.getAddress());
  const timelock = await ethers.getContractAt("TimelockController", await deployed.timelock.getAddress());
  const governor = await ethers.getContractAt("CreditGovernor", await deployed.governor.getAddress());
  const emission = await ethers.getContractAt("EmissionController", await deployed.emission.getAddress());
  const rewards = await ethers.getContractAt("ContributionRewards", await deployed.rewards.getAddress());
  const spender = await ethers.getContractAt("CreditSpender", await deployed.spender.getAddress());
  const vault = await ethers.getContractAt("RedemptionVault", await deployed.vault.getAddress());
  for (const holder of [alice, bob, carol, dave]) {
    await (await token.connect(holder).delegate(holder.address)).wait();
  }
  return {
    token,
    timelock,
    governor,
    emission,
    rewards,
    spender,
    vault,
    stablecoin,
    oracles,
    deployer,
    alice,
    bob,
    carol,
    dave,
    eve,
    guardian,
    organiser,
    outsider,
  };
}
