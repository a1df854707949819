import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { DEFAULT_CATEGORIES } from "../../src/sdk/categories.js";
import type { SystemAddresses } from "../../src/sdk/deployments.js";
import { describeCall, encodeProposal, parseProposalFile, ProposalFileError } from "../../src/sdk/proposals.js";
import type { ProposalFile } from "../../src/sdk/proposals.js";
import { readPolicy } from "../helpers/emission.js";
import { deployGovernedSystem, TOKEN } from "../helpers/fixtures.js";
import { GovernorHelper } from "../helpers/governance.js";

const EXAMPLES = path.resolve("examples", "proposals");

const ADDRESSES: SystemAddresses = {
  token: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  timelock: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  governor: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  emission: "0x0165878A594ca255338adfa4d48449f69242Eb8F",
  rewards: "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853",
  spender: "0xB7f8BC63BbcaD18155201308C8f3540b07f84F5e",
  vault: "0xA51c1fc2f0D1a1b8494Ed1FE312d7C3a78Ed91C0",
};

async function readExample(name: string): Promise<ProposalFile> {
  return parseProposalFile(JSON.parse(await readFile(path.join(EXAMPLES, name), "utf8")), name);
}

describe("proposal files (src/sdk/proposals.ts)", function () {
  it("validates every example in examples/proposals/", async function () {
    const names = (await readdir(EXAMPLES)).filter((name) => name.endsWith(".json")).sort();
    expect(names).to.deep.equal([
      "emission-policy.json",
      "rotate-signers.json",
      "set-category-rate.json",
      "treasury-grant.json",
    ]);
    for (const name of names) expect((await readExample(name)).actions).to.have.length.greaterThan(0);
  });

  it("names each wrong field of an invalid file", function () {
    const invalid = (json: unknown) => {
      try {
        parseProposalFile(json, "p.json");
      } catch (error) {
        expect(error).to.be.instanceOf(ProposalFileError);
        return (error as ProposalFileError).issues;
      }
      throw new Error("expected the file to be refused");
    };
    expect(invalid({ description: "x", actions: [{ type: "treasuryGrant", to: "0x12", amount: "-5" }] })).to.deep.equal(
      [
        "actions.0.to: not an address",
        'actions.0.amount: expected a non-negative decimal amount such as "1000" or "0.5", got "-5"',
      ],
    );
    expect(invalid({ description: " ", actions: [] })).to.deep.equal([
      "description: the description is empty",
      "actions: a proposal needs at least one action",
    ]);
    expect(invalid({ description: "x", actions: [{ type: "mint", to: ADDRESSES.token }] })[0]).to.match(
      /^actions\.0\.type: /,
    );
    expect(
      invalid({ description: "x", actions: [{ type: "setCategoryRate", category: "bugs", baseReward: 1 }] })[0],
    ).to.match(/^actions\.0\.category: /);
    expect(
      invalid({
        description: "x",
        actions: [{ type: "rotateSigners", signers: [ADDRESSES.token, ADDRESSES.token.toLowerCase()], threshold: 3 }],
      }),
    ).to.deep.equal([
      "actions.0.threshold: threshold 3 is more than the 2 signers",
      `actions.0.signers: ${ADDRESSES.token} appears twice`,
    ]);
    expect(invalid({ description: "x", actions: [{ type: "setEmissionPolicy", policy: {} }] })).to.deep.equal([
      "actions.0.policy: name at least one policy field to change",
    ]);
    expect(
      invalid({ description: "x", actions: [{ type: "setEmissionPolicy", policy: { recyleBps: 6000 } }] })[0],
    ).to.match(/^actions\.0\.policy: Unrecognized key: "recyleBps"/);
    expect(
      invalid({ description: "x", actions: [{ type: "treasuryGrant", to: ADDRESSES.token, amount: 1e21 }] })[0],
    ).to.match(/write large amounts as strings/);
  });

  it("encodes each action for the contract that must run it, and reads it back in words", async function () {
    const grant = encodeProposal({
      proposal: await readExample("treasury-grant.json"),
      addresses: ADDRESSES,
      decimals: 18,
    });
    expect(grant.targets).to.deep.equal([ADDRESSES.token]);
    expect(grant.values).to.deep.equal([0n]);
    expect(grant.summaries).to.deep.equal([
      "treasury grant: 50,000 CRED to 0x976EA74026E726554dB657fA54763abd0C3a0aa9",
    ]);
    expect(
      describeCall({
        target: grant.targets[0]!,
        value: 0n,
        calldata: grant.calldatas[0]!,
        addresses: ADDRESSES,
        decimals: 18,
      }),
    ).to.equal("CreditToken.transfer(to: 0x976EA74026E726554dB657fA54763abd0C3a0aa9, value: 50,000 CRED)");

    const rate = encodeProposal({
      proposal: await readExample("set-category-rate.json"),
      addresses: ADDRESSES,
      decimals: 18,
    });
    expect(rate.targets).to.deep.equal([ADDRESSES.rewards]);
    expect(rate.summaries).to.deep.equal(["base reward of bugReport (3): 30 CRED"]);
    expect(
      describeCall({
        target: ADDRESSES.rewards,
        value: 0n,
        calldata: rate.calldatas[0]!,
        addresses: ADDRESSES,
        decimals: 18,
      }),
    ).to.equal("ContributionRewards.setBaseReward(category: 3, newReward: 30 CRED)");

    expect(() =>
      encodeProposal({
        proposal: { description: "x", actions: [{ type: "setEmissionPolicy", policy: { recycleBps: 1 } }] },
        addresses: ADDRESSES,
        decimals: 18,
      }),
    ).to.throw(ProposalFileError, "setEmissionPolicy needs the current on-chain policy");
    expect(() =>
      encodeProposal({
        proposal: { description: "x", actions: [{ type: "treasuryGrant", to: ADDRESSES.token, amount: "0.001" }] },
        addresses: ADDRESSES,
        decimals: 2,
      }),
    ).to.throw(ProposalFileError, "actions.0.amount 0.001 has more than 2 decimals");
    expect(
      describeCall({
        target: "0x0000000000000000000000000000000000000001",
        value: 0n,
        calldata: "0x",
        addresses: ADDRESSES,
        decimals: 18,
      }),
    ).to.equal("call 0x0000000000000000000000000000000000000001 with data 0x");
  });

  it("the four examples, proposed together, do what they say once the proposal is executed", async function () {
    const connection = await network.create();
    const sys = await connection.networkHelpers.loadFixture(deployGovernedSystem);
    const addresses: SystemAddresses = {
      token: (await sys.token.getAddress()) as `0x${string}`,
      timelock: (await sys.timelock.getAddress()) as `0x${string}`,
      governor: (await sys.governor.getAddress()) as `0x${string}`,
      emission: (await sys.emission.getAddress()) as `0x${string}`,
      rewards: (await sys.rewards.getAddress()) as `0x${string}`,
      spender: (await sys.spender.getAddress()) as `0x${string}`,
      vault: (await sys.vault.getAddress()) as `0x${string}`,
    };
    const before = await readPolicy(sys.emission);
    const examples = await Promise.all(
      ["treasury-grant.json", "set-category-rate.json", "rotate-signers.json", "emission-policy.json"].map(readExample),
    );
    const encoded = encodeProposal({
      proposal: { description: "# All the examples", actions: examples.flatMap((example) => example.actions) },
      addresses,
      decimals: 18,
      currentPolicy: before,
    });
    expect(encoded.summaries[3]).to.equal(
      "emission policy (from the next epoch): recycleBps 5000 bps → 6000 bps, budgetFloor 10,000 → 20,000",
    );

    const grantee = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";
    const granteeBefore = await sys.token.balanceOf(grantee);
    const helper = new GovernorHelper(sys.governor, connection.networkHelpers, {
      targets: encoded.targets,
      values: encoded.values,
      calldatas: encoded.calldatas,
      description: encoded.description,
    });
    await helper.passWith(sys.alice, [sys.alice, sys.bob]);

    expect((await sys.token.balanceOf(grantee)) - granteeBefore).to.equal(50_000n * TOKEN);
    const bugReport = DEFAULT_CATEGORIES.find((category) => category.name === "bugReport")!;
    expect((await sys.rewards.categoryConfig(bugReport.id)).baseReward).to.equal(30n * TOKEN);
    const [signers, threshold] = await sys.rewards.signerSet();
    expect(signers).to.have.length(4);
    expect(threshold).to.equal(3n);
    expect(await readPolicy(sys.emission)).to.deep.equal({
      ...before,
      recycleBps: 6000n,
      budgetFloor: 20_000n * TOKEN,
    });
  });
});
