import { rm } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { network } from "hardhat";

import CreditSystemModule from "../../ignition/modules/CreditSystem.js";
import type { CreditGovernor, CreditToken, TimelockController } from "../../types/ethers-contracts/index.js";
import { deployGovernedSystem } from "../helpers/fixtures.js";
import { startHardhatNode } from "../helpers/hardhat-node.js";
import type { HardhatNode } from "../helpers/hardhat-node.js";
import { roleHolders, rolesOf } from "../helpers/roles.js";

interface System {
  token: CreditToken;
  timelock: TimelockController;
  governor: CreditGovernor;
}

/**
 * The wiring every deployment must end with: the timelock administers itself and the token,
 * the governor is its only proposer and canceller, anyone may execute, nobody mints yet, and
 * the deployer holds no role anywhere.
 */
async function expectWiredAndDeployerPowerless({ token, timelock, governor }: System, deployer: string) {
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
  expect(tokenRoles.get(await token.MINTER_ROLE()) ?? new Set()).to.have.property("size", 0);

  expect(await governor.timelock()).to.equal(timelockAddress);
  expect(await governor.token()).to.equal(await token.getAddress());
  expect(await token.balanceOf(deployer)).to.equal(0n);
}

describe("CreditSystemModule (Ignition)", function () {
  describe("on the in-process network", function () {
    it("wires the roles and leaves the deployer holding nothing", async function () {
      const connection = await network.create();
      const sys = await connection.networkHelpers.loadFixture(deployGovernedSystem);
      await expectWiredAndDeployerPowerless(sys, sys.deployer.address);
    });

    it("deploys with the module defaults (no parameters)", async function () {
      const { ethers, ignition } = await network.create();
      const [deployer] = await ethers.getSigners();
      const deployed = await ignition.deploy(CreditSystemModule, { displayUi: false });
      const token = await ethers.getContractAt("CreditToken", await deployed.token.getAddress());
      const timelock = await ethers.getContractAt("TimelockController", await deployed.timelock.getAddress());
      const governor = await ethers.getContractAt("CreditGovernor", await deployed.governor.getAddress());
      expect(await token.cap()).to.equal(1_000_000_000n * 10n ** 18n);
      expect(await token.balanceOf(await timelock.getAddress())).to.equal(300_000_000n * 10n ** 18n);
      expect(await governor.proposalGuardian()).to.equal(ZeroAddress);
      await expectWiredAndDeployerPowerless({ token, timelock, governor }, deployer!.address);
    });
  });

  describe("on a hardhat node over JSON-RPC, with the local parameter file", function () {
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
      const deployed = await ignition.deploy(CreditSystemModule, {
        displayUi: false,
        deploymentId,
        parameters: path.resolve("ignition", "parameters", "localhost.json"),
      });
      const token = await ethers.getContractAt("CreditToken", await deployed.token.getAddress());
      const timelock = await ethers.getContractAt("TimelockController", await deployed.timelock.getAddress());
      const governor = await ethers.getContractAt("CreditGovernor", await deployed.governor.getAddress());
      await expectWiredAndDeployerPowerless({ token, timelock, governor }, deployer!.address);
      expect(await governor.votingPeriod()).to.equal(300n);
      expect(await governor.proposalGuardian()).to.equal("0xa0Ee7A142d267C1f36714E4a8F75612F20a79720");
      expect(await token.totalSupply()).to.equal(401_000_000n * 10n ** 18n);
    });
  });
});
