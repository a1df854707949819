import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import hre, { network } from "hardhat";

import CreditSystemModule from "../../ignition/modules/CreditSystem.js";
import { checkDeployment, PREDEPLOY_KEY } from "../../tasks/lib/predeploy.js";
import { freshAddresses } from "../helpers/rewards.js";

import type { DeploymentParameters } from "@nomicfoundation/ignition-core";

type Parameters = Record<string, Record<string, unknown>>;

const TESTNETS = { sepolia: 11155111, "base-sepolia": 84532, "op-sepolia": 11155420 } as const;
/** Runtime code that returns 2 for any call: a stand-in for a Safe's getThreshold(). */
const RETURNS_TWO = "0x600260005260206000f3";
/** Runtime code that stops at once: a contract that answers nothing. */
const STOPS = "0x00";

async function readParameters(name: string): Promise<Parameters> {
  return JSON.parse(await readFile(path.resolve("ignition", "parameters", `${name}.json`), "utf8")) as Parameters;
}

describe("pre-deploy checks (tasks/lib/predeploy.ts)", function () {
  let connection: Awaited<ReturnType<typeof network.create>>;
  let deployer: string;

  before(async function () {
    connection = await network.create();
    const accounts = (await connection.provider.request({ method: "eth_accounts" })) as string[];
    deployer = accounts[0]!;
  });

  const check = (parameters: unknown, options: { networkChainId?: number; from?: string } = {}) =>
    checkDeployment({
      provider: connection.provider,
      parameters: parameters as Record<string, unknown>,
      networkChainId: options.networkChainId,
      deployer: options.from ?? deployer,
    });

  it("passes the local parameter file on chain 31337, checking every address it names", async function () {
    const report = await check(await readParameters("localhost"));
    expect(report.problems).to.deep.equal([]);
    expect(report.chainId).to.equal(31337);
    expect(report.passed[0]).to.equal("the RPC is chain 31337, as the parameter file says");
    expect(report.passed.filter((line) => line.endsWith(": an EOA on chain 31337"))).to.have.length(10);
    expect(report.passed.at(-1)).to.match(
      new RegExp(`^the deployer ${deployer}: an EOA on chain 31337, with \\d+ ETH$`),
    );
  });

  it("refuses addresses whose code on this chain is not the kind the file says", async function () {
    const [contract, safe, notSafe, delegated, eoa] = freshAddresses(5, "predeploy");
    await connection.networkHelpers.setCode(contract!, STOPS);
    await connection.networkHelpers.setCode(safe!, RETURNS_TWO);
    await connection.networkHelpers.setCode(notSafe!, STOPS);
    await connection.networkHelpers.setCode(delegated!, `0xef0100${contract!.slice(2)}`);
    const report = await check({
      [PREDEPLOY_KEY]: {
        chainId: 31337,
        accounts: {
          "M.asEoa": "eoa",
          "M.safes": ["safe", "safe", "safe", "contract"],
          "M.delegated": "eoa",
          "M.none": "none",
          "M.zeroSafe": "safe",
        },
      },
      M: {
        asEoa: contract,
        safes: [safe, notSafe, eoa, contract],
        delegated,
        none: "0x0000000000000000000000000000000000000000",
        zeroSafe: "0x0000000000000000000000000000000000000000",
      },
    });
    expect(report.problems).to.deep.equal([
      `M.asEoa ${contract}: has contract code on chain 31337, but an EOA is expected (a key must sign for it)`,
      `M.safes[1] ${notSafe}: is a contract on chain 31337 but not a Safe (getThreshold() gives no threshold)`,
      `M.safes[2] ${eoa}: has no contract code on chain 31337, but a Safe is expected (is it deployed on this chain? a Safe on one chain does not exist on another)`,
      "M.zeroSafe 0x0000000000000000000000000000000000000000: is the zero address, but a Safe is expected",
    ]);
    expect(report.passed).to.include.members([
      `M.safes[0] ${safe}: a Safe with threshold 2 on chain 31337`,
      `M.safes[3] ${contract}: a contract on chain 31337`,
      `M.delegated ${delegated}: an EOA (with an EIP-7702 delegation to ${contract!.slice(2).toLowerCase()})`.replace(
        "delegation to ",
        "delegation to 0x",
      ),
      "M.none 0x0000000000000000000000000000000000000000: none (the zero address)",
    ]);
  });

  it("refuses a file that does not say what its addresses must be, or names a parameter it does not set", async function () {
    const [a, b] = freshAddresses(2, "unlisted");
    expect((await check({ M: { guardian: a } })).problems).to.deep.equal([
      `the parameter file has no "${PREDEPLOY_KEY}" section (the chain id and the kind of each address)`,
      'M.guardian names addresses but "$predeploy.accounts" does not say what they must be (eoa, contract, safe, none)',
    ]);
    const report = await check({
      [PREDEPLOY_KEY]: { chainId: 31337, accounts: { "M.gardian": "eoa", "M.list": ["eoa"] } },
      M: { guardian: a, list: [a, b] },
    });
    expect(report.problems).to.deep.equal([
      'M.guardian names addresses but "$predeploy.accounts" does not say what they must be (eoa, contract, safe, none)',
      "M.list has 2 addresses but 1 expected kinds",
      '"$predeploy.accounts" names M.gardian, which the parameter file does not set',
    ]);
    expect(
      (await check({ [PREDEPLOY_KEY]: { chainId: 31337, accounts: { "M.x": "multisig" } } })).problems[0],
    ).to.match(/^"\$predeploy" is invalid: accounts\.M\.x/);
  });

  it("refuses another chain and checks no code there; refuses a Hardhat network configured for another chain", async function () {
    const local = await readParameters("localhost");
    const other = { ...local, [PREDEPLOY_KEY]: { ...local[PREDEPLOY_KEY], chainId: 10 } };
    const report = await check(other);
    expect(report.problems).to.deep.equal(["the RPC is chain 31337, but the parameter file is for chain 10"]);
    expect(report.passed).to.deep.equal([]);
    expect((await check(local, { networkChainId: 84532 })).problems).to.deep.equal([
      "the RPC is chain 31337, but the Hardhat network is configured for chain 84532",
    ]);
  });

  it("refuses a deployer with code or without funds", async function () {
    const [poor] = freshAddresses(1, "poor-deployer");
    const local = await readParameters("localhost");
    expect((await check(local, { from: poor })).problems).to.deep.equal([
      `the deployer ${poor} has no funds on chain 31337`,
    ]);
  });

  describe("the testnet parameter files", function () {
    for (const [name, chainId] of Object.entries(TESTNETS)) {
      it(`${name}.json: chain ${chainId} like the Hardhat network; every operator value a refused placeholder`, async function () {
        const parameters = await readParameters(name);
        expect(parameters[PREDEPLOY_KEY]!.chainId).to.equal(chainId);
        expect(hre.config.networks[name]?.chainId).to.equal(chainId);
        const userNetwork = hre.userConfig.networks?.[name] as { url: unknown; accounts: unknown };
        expect(userNetwork.url).to.deep.include({ _type: "ConfigurationVariable" });
        expect(userNetwork.accounts).to.have.length(1);
        expect((userNetwork.accounts as unknown[])[0]).to.deep.include({
          _type: "ConfigurationVariable",
          name: "DEPLOYER_PRIVATE_KEY",
        });

        const placeholders = [
          "CreditGovernanceModule.genesisRecipients[0]",
          "CreditGovernanceModule.genesisRecipients[1]",
          "CreditGovernanceModule.proposalGuardian",
          "CreditRewardsModule.guardian",
          "CreditRewardsModule.oracleSigners[0]",
          "CreditRewardsModule.oracleSigners[1]",
          "CreditRewardsModule.oracleSigners[2]",
          "CreditCreditsModule.guardian",
        ];
        const report = await check(parameters, { networkChainId: chainId });
        expect(report.problems.slice(0, 2)).to.deep.equal([
          `the RPC is chain 31337, but the parameter file is for chain ${chainId}`,
          `the RPC is chain 31337, but the Hardhat network is configured for chain ${chainId}`,
        ]);
        expect(
          report.problems
            .slice(2)
            .filter((line) => line.includes(" is a placeholder: "))
            .map((line) => line.split(" is a placeholder: ")[0]),
        ).to.deep.equal(placeholders);
      });
    }

    it("deploy with the real module once their placeholders are filled", async function () {
      for (const name of Object.keys(TESTNETS)) {
        const parameters = await readParameters(name);
        const [safe, wallet, council, ops, ...signers] = freshAddresses(7, `filled-${name}`) as [
          string,
          string,
          string,
          string,
          ...string[],
        ];
        const governance = {
          ...parameters.CreditGovernanceModule,
          genesisRecipients: [safe, wallet],
          proposalGuardian: council,
        };
        const rewards = { ...parameters.CreditRewardsModule, guardian: ops, oracleSigners: signers };
        const { ignition, ethers } = await network.create();
        // The network's USDC does not exist in-process: a 6-decimal stand-in takes its place.
        const usdc = await ethers.deployContract("TestStablecoin");
        const filled = {
          CreditGovernanceModule: governance,
          CreditRewardsModule: rewards,
          CreditCreditsModule: { ...parameters.CreditCreditsModule, guardian: ops },
          StablecoinModule: { stablecoin: await usdc.getAddress() },
        };
        // Ignition reads "…n" strings as bigints when it reads a file; the object form takes them as they are.
        const revived = JSON.parse(JSON.stringify(filled), (_key, value: unknown) =>
          typeof value === "string" && /^\d+n$/.test(value) ? BigInt(value.slice(0, -1)) : value,
        ) as Parameters;
        const deployed = await ignition.deploy(CreditSystemModule, {
          parameters: revived as DeploymentParameters,
          displayUi: false,
        });
        const governor = await ethers.getContractAt("CreditGovernor", await deployed.governor.getAddress());
        expect(await governor.votingPeriod(), name).to.equal(7200n);
        expect(await governor.proposalGuardian(), name).to.equal(council);
      }
    });
  });

  it("configures verification with an API key from a configuration variable (no explorer is called)", function () {
    expect(hre.config.verify.etherscan.enabled).to.equal(true);
    expect(hre.config.verify.blockscout.enabled).to.equal(true);
    expect(hre.userConfig.verify?.etherscan?.apiKey).to.deep.include({
      _type: "ConfigurationVariable",
      name: "ETHERSCAN_API_KEY",
    });
  });
});
