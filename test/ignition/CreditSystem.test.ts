import { rm } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { network } from "hardhat";

import { isArtifactContractDeploymentFuture, isNamedContractDeploymentFuture } from "@nomicfoundation/ignition-core";
import type { IgnitionModule } from "@nomicfoundation/ignition-core";

import CreditSystemModule from "../../ignition/modules/CreditSystem.js";
import LocalCreditSystemModule from "../../ignition/modules/LocalCreditSystem.js";
import type {
  ContributionRewards,
  CreditGovernor,
  CreditSpender,
  CreditToken,
  EmissionController,
  RedemptionVault,
  TimelockController,
} from "../../types/ethers-contracts/index.js";
import { deployGovernedSystem, oracleAccounts } from "../helpers/fixtures.js";
import { startHardhatNode } from "../helpers/hardhat-node.js";
import type { HardhatNode } from "../helpers/hardhat-node.js";
import { roleHolders, rolesOf } from "../helpers/roles.js";

interface System {
  token: CreditToken;
  timelock: TimelockController;
  governor: CreditGovernor;
  emission: EmissionController;
  rewards: ContributionRewards;
  spender: CreditSpender;
  vault: RedemptionVault;
}

/**
 * The wiring every deployment must end with: the timelock administers itself and the token and
 * owns the emission, rewards, spender and vault contracts and is the spender's treasury, the
 * governor is its only proposer and canceller, anyone may execute, the rewards contract is the
 * only minter, and the deployer holds no role and owns nothing.
 */
async function expectWiredAndDeployerPowerless(
  { token, timelock, governor, emission, rewards, spender, vault }: System,
  deployer: string,
) {
  const timelockAddress = await timelock.getAddress();
  const governorAddress = await governor.getAddress();

  const timelockRoles = await roleHolders(timelock);
  expect(rolesOf(timelockRoles, deployer)).to.deep.equal([], "deployer holds a timelock role");
  expect([...(timelockRoles.get(await timelock.DEFAULT_ADMIN_ROLE()) ?? [])]).to.deep.equal([timelockAddress]);
  expect([...(timelockRoles.get(await timelock.PROPOSER_ROLE()) ?? [])]).to.deep.equal([governorAddress]);
  expect([...(timelockRoles.get(await timelock.CANCELLER_ROLE()) ?? [])]).to.deep.equal([governorAddress]);
  expect([...(timelockRoles.get(await timelock.EXECUTOR_ROLE()) ?? [])]).to.deep.equal([ZeroAddress]);

  const tokenRoles = await roleHolders(token);
  expect(rolesOf(tokenRoles, deployer)).to.deep.equal([], "deployer holds a token role");
  expect([...(tokenRoles.get(await token.DEFAULT_ADMIN_ROLE()) ?? [])]).to.deep.equal([timelockAddress]);
  expect([...(tokenRoles.get(await token.MINTER_ROLE()) ?? [])]).to.deep.equal([await rewards.getAddress()]);

  for (const owned of [emission, rewards, spender, vault]) {
    expect(await owned.owner()).to.equal(timelockAddress);
    expect(await owned.pendingOwner()).to.equal(ZeroAddress);
  }
  expect(await spender.treasury()).to.equal(timelockAddress);
  for (const guarded of [rewards, spender, vault]) expect(await guarded.guardian()).to.not.equal(deployer);
  expect(await emission.token()).to.equal(await token.getAddress());
  for (const user of [rewards, spender, vault]) {
    expect(await user.token()).to.equal(await token.getAddress());
    expect(await user.emission()).to.equal(await emission.getAddress());
  }

  expect(await governor.timelock()).to.equal(timelockAddress);
  expect(await governor.token()).to.equal(await token.getAddress());
  expect(await token.balanceOf(deployer)).to.equal(0n);
}

type Ethers = Awaited<ReturnType<typeof network.create>>["ethers"];
interface Deployed {
  token: { getAddress(): Promise<string> };
  timelock: { getAddress(): Promise<string> };
  governor: { getAddress(): Promise<string> };
  emission: { getAddress(): Promise<string> };
  rewards: { getAddress(): Promise<string> };
  spender: { getAddress(): Promise<string> };
  vault: { getAddress(): Promise<string> };
}

async function attach(ethers: Ethers, deployed: Deployed): Promise<System> {
  return {
    token: await ethers.getContractAt("CreditToken", await deployed.token.getAddress()),
    timelock: await ethers.getContractAt("TimelockController", await deployed.timelock.getAddress()),
    governor: await ethers.getContractAt("CreditGovernor", await deployed.governor.getAddress()),
    emission: await ethers.getContractAt("EmissionController", await deployed.emission.getAddress()),
    rewards: await ethers.getContractAt("ContributionRewards", await deployed.rewards.getAddress()),
    spender: await ethers.getContractAt("CreditSpender", await deployed.spender.getAddress()),
    vault: await ethers.getContractAt("RedemptionVault", await deployed.vault.getAddress()),
  };
}

/** Every artifact a module deploys (not attaches to), its submodules' included. */
function deployedContractNames(module: IgnitionModule): Set<string> {
  const names = new Set<string>();
  const visit = (m: IgnitionModule) => {
    for (const future of m.futures) {
      if (isNamedContractDeploymentFuture(future) || isArtifactContractDeploymentFuture(future)) {
        names.add(future.contractName);
      }
    }
    for (const sub of m.submodules) visit(sub);
  };
  visit(module);
  return names;
}

describe("CreditSystemModule (Ignition)", function () {
  describe("on the in-process network", function () {
    it("wires the roles and leaves the deployer holding nothing", async function () {
      const connection = await network.create();
      const sys = await connection.networkHelpers.loadFixture(deployGovernedSystem);
      await expectWiredAndDeployerPowerless(sys, sys.deployer.address);
    });

    it("deploys with the module defaults (only the oracle signers, stablecoin and rate given)", async function () {
      const { ethers, ignition } = await network.create();
      const [deployer, issuer] = await ethers.getSigners();
      const oracles = oracleAccounts(3);
      const stablecoin = await ethers.deployContract("TestStablecoin", [], issuer);
      const deployed = await ignition.deploy(CreditSystemModule, {
        displayUi: false,
        parameters: {
          CreditRewardsModule: { oracleSigners: oracles.map((o) => o.address), oracleThreshold: 2 },
          StablecoinModule: { stablecoin: await stablecoin.getAddress() },
          CreditCreditsModule: { redemptionRate: 10_000n },
        },
      });
      const system = await attach(ethers, deployed);
      expect(await system.token.cap()).to.equal(1_000_000_000n * 10n ** 18n);
      expect(await system.token.balanceOf(await system.timelock.getAddress())).to.equal(300_000_000n * 10n ** 18n);
      expect(await system.governor.proposalGuardian()).to.equal(ZeroAddress);
      expect((await system.emission.policy()).epochLength).to.equal(7n * 24n * 3600n);
      expect(await system.rewards.categoryCount()).to.equal(9n);
      expect(await system.spender.burnShareBps()).to.equal(5_000n);
      expect(await system.spender.tierCount()).to.equal(2n);
      expect(await system.spender.guardian()).to.equal(ZeroAddress);
      expect(await system.vault.stablecoin()).to.equal(await stablecoin.getAddress());
      expect(await system.vault.epochCap()).to.equal(100_000n * 10n ** 18n);
      expect(await system.vault.reserves()).to.equal(0n);
      await expectWiredAndDeployerPowerless(system, deployer!.address);
    });

    it("keeps the test stablecoin out of the module real networks deploy", function () {
      const production = deployedContractNames(CreditSystemModule);
      expect(production).to.include.members(["CreditSpender", "RedemptionVault"]);
      expect(production).to.not.include("TestStablecoin");
      expect(deployedContractNames(LocalCreditSystemModule)).to.include("TestStablecoin");
    });
  });

  describe("on a hardhat node over JSON-RPC, with the local module and parameter file", function () {
    const deploymentId = `test-jsonrpc-${process.pid}`;
    let node: HardhatNode | undefined;

    before(async function () {
      node = await startHardhatNode();
    });

    after(async function () {
      await node?.stop();
      await rm(path.resolve("ignition", "deployments", deploymentId), { recursive: true, force: true });
    });

    it("deploys, wires and leaves the deployer holding nothing", async function () {
      if (node === undefined) throw new Error("node not started");
      const { ethers, ignition } = await network.create({ network: "localhost", override: { url: node.url } });
      const [deployer] = await ethers.getSigners();
      const deployed = await ignition.deploy(LocalCreditSystemModule, {
        displayUi: false,
        deploymentId,
        parameters: path.resolve("ignition", "parameters", "localhost.json"),
      });
      const system = await attach(ethers, deployed);
      await expectWiredAndDeployerPowerless(system, deployer!.address);
      expect(await system.governor.votingPeriod()).to.equal(300n);
      expect(await system.governor.proposalGuardian()).to.equal("0xa0Ee7A142d267C1f36714E4a8F75612F20a79720");
      expect(await system.token.totalSupply()).to.equal(401_000_000n * 10n ** 18n);
      const [signers, threshold] = await system.rewards.signerSet();
      expect(signers).to.have.length(3);
      expect(threshold).to.equal(2n);
      // Usable at once: the vault holds test-stablecoin reserves, the treasury more to fund it with.
      const stablecoin = await ethers.getContractAt("TestStablecoin", await deployed.stablecoin.getAddress());
      expect(await stablecoin.decimals()).to.equal(6n);
      expect(await system.vault.reserves()).to.equal(100_000n * 10n ** 6n);
      expect(await stablecoin.balanceOf(await system.timelock.getAddress())).to.equal(1_000_000n * 10n ** 6n);
      expect(await system.vault.rate()).to.equal(10_000n);
      expect(await system.spender.guardian()).to.equal("0xa0Ee7A142d267C1f36714E4a8F75612F20a79720");
    });
  });
});
