import { expect } from "chai";
import { Interface } from "ethers";

import { describeError, describeRevert, findRevertData, statesInBitmap } from "../../src/sdk/describeRevert.js";
import { CreditGovernor__factory, TimelockController__factory } from "../../types/ethers-contracts/index.js";
import { stateBitmap } from "../helpers/governance.js";

const TOKEN = 10n ** 18n;
const governor = CreditGovernor__factory.createInterface();
const timelock = TimelockController__factory.createInterface();
const HOLDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("reverts in words (src/sdk/describeRevert.ts)", function () {
  it("says which state a proposal is in and which it needs", function () {
    const data = governor.encodeErrorResult("GovernorUnexpectedProposalState", [42n, 0, stateBitmap(1n)]);
    expect(describeRevert(data)).to.equal("proposal 42 is Pending, not Active");
    const execute = governor.encodeErrorResult("GovernorUnexpectedProposalState", [42n, 7, stateBitmap(4n, 5n)]);
    expect(describeRevert(execute)).to.equal("proposal 42 is Executed, not Succeeded or Queued");
    const duplicate = governor.encodeErrorResult("GovernorUnexpectedProposalState", [42n, 1, stateBitmap()]);
    expect(describeRevert(duplicate)).to.match(/^proposal 42 already exists \(Active\)/);
    expect(statesInBitmap(stateBitmap(0n, 7n), ["a", "b", "c", "d", "e", "f", "g", "h"])).to.deep.equal(["a", "h"]);
  });

  it("phrases the governance, timelock and token errors a holder meets", function () {
    const fmt = (value: bigint) => `${value / TOKEN} CRED`;
    const cases: [string, string][] = [
      [governor.encodeErrorResult("GovernorNonexistentProposal", [7n]), "there is no proposal 7"],
      [governor.encodeErrorResult("GovernorAlreadyCastVote", [HOLDER]), `${HOLDER} has already voted on this proposal`],
      [
        governor.encodeErrorResult("GovernorInsufficientProposerVotes", [HOLDER, 5n * TOKEN, 100_000n * TOKEN]),
        `${HOLDER} has 5 CRED of votes, below the proposal threshold of 100000 CRED (votes count once delegated)`,
      ],
      [
        timelock.encodeErrorResult("TimelockUnexpectedOperationState", [`0x${"ab".repeat(32)}`, stateBitmap(2n)]),
        "the timelock operation 0xabababab…abababab is not Ready",
      ],
      [
        new Interface(["error ERC20InsufficientBalance(address,uint256,uint256)"]).encodeErrorResult(
          "ERC20InsufficientBalance",
          [HOLDER, 1n * TOKEN, 2n * TOKEN],
        ),
        `${HOLDER} has 1 CRED, which is less than the 2 CRED needed`,
      ],
      [new Interface(["error Error(string)"]).encodeErrorResult("Error", ["nope"]), "reverted: nope"],
    ];
    for (const [data, sentence] of cases) expect(describeRevert(data, { formatAmount: fmt })).to.equal(sentence);
  });

  it("names other errors of the system with their arguments, and ignores unknown data", function () {
    const rewards = new Interface([
      "error ContributionRewardsRateChangeTooLarge(uint256 oldReward, uint256 newReward)",
    ]);
    const data = rewards.encodeErrorResult("ContributionRewardsRateChangeTooLarge", [25n, 100n]);
    expect(describeRevert(data)).to.equal("ContributionRewardsRateChangeTooLarge(oldReward: 25, newReward: 100)");
    expect(describeRevert("0xdeadbeef")).to.equal(undefined);
  });

  it("finds revert data wherever a client put it, and falls back to the short message", function () {
    const data = governor.encodeErrorResult("GovernorNonexistentProposal", [7n]);
    const nested = { message: "execution reverted", info: { error: { code: 3, data } } };
    expect(findRevertData(nested)).to.equal(data);
    expect(findRevertData(Object.assign(new Error("x"), { cause: { data } }))).to.equal(data);
    expect(describeError(nested)).to.equal("there is no proposal 7");
    const plain = Object.assign(new Error("long\nstack"), { shortMessage: "could not connect" });
    expect(describeError(plain)).to.equal("could not connect");
    expect(describeError(new Error("first line\nsecond"))).to.equal("first line");
  });
});
