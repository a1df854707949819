import { expect } from "chai";
import { network } from "hardhat";

import { readPolicy } from "../helpers/emission.js";
import { deployGovernedSystem, TEST_REWARDS } from "../helpers/fixtures.js";
import { GovernorHelper } from "../helpers/governance.js";

const { networkHelpers } = await network.create();
const { time } = networkHelpers;

describe("EmissionController policy changes through governance", function () {
  it("applies a policy passed mid-epoch from the next epoch only", async function () {
    const sys = await networkHelpers.loadFixture(deployGovernedSystem);
    const { emission, governor, alice, bob } = sys;
    const before = await readPolicy(emission);
    const next = { ...before, maxBudgetStepBps: 2_500n, annualInflationBps: 300n, epochLength: 14n * 86_400n };
    const proposal = new GovernorHelper(governor, networkHelpers, {
      targets: [await emission.getAddress()],
      values: [0n],
      calldatas: [emission.interface.encodeFunctionData("setPolicy", [next])],
      description: "Faster budget steps, 3% annual cap, two-week epochs",
    });

    await proposal.proposeAndRecord(alice);
    await proposal.waitForSnapshot();
    await proposal.vote(alice, 1);
    await proposal.vote(bob, 1);
    await proposal.waitForDeadline();
    await proposal.queue();
    await proposal.waitForEta();

    // Execution lands in the middle of an epoch.
    const epoch = await emission.currentEpoch();
    const current = await emission.epochState(epoch);
    const now = BigInt(await time.latest());
    expect(now).to.be.greaterThan(current.start);
    expect(now + 60n).to.be.lessThan(current.start + current.duration);
    await expect(proposal.execute()).to.emit(emission, "PolicySet");

    // The current epoch keeps its figures and its length...
    const after = await emission.epochState(epoch);
    expect(after.budget).to.equal(current.budget);
    expect(after.limit).to.equal(current.limit);
    expect(after.annualCap).to.equal(current.annualCap);
    expect(after.duration).to.equal(TEST_REWARDS.epochLength);
    expect(await readPolicy(emission)).to.deep.equal(next);

    // ...and the next epoch opens under the new policy: two weeks long, a 3% cap.
    await time.increaseTo(current.start + current.duration);
    const opened = await emission.epochState(epoch + 1n);
    expect(opened.start).to.equal(current.start + current.duration);
    expect(opened.duration).to.equal(next.epochLength);
    expect(opened.annualCap).to.equal(((await sys.token.totalSupply()) * 300n) / 10_000n);
    await time.increaseTo(opened.start + 7n * 86_400n);
    expect(await emission.currentEpoch()).to.equal(epoch + 1n);
  });

  it("refuses a policy change from anyone but the timelock", async function () {
    const sys = await networkHelpers.loadFixture(deployGovernedSystem);
    const policy = await readPolicy(sys.emission);
    await expect(sys.emission.connect(sys.guardian).setPolicy(policy))
      .to.be.revertedWithCustomError(sys.emission, "OwnableUnauthorizedAccount")
      .withArgs(sys.guardian.address);
  });
});
