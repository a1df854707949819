import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { network } from "hardhat";

import { deployGovernedSystem, GENESIS, TEST_GOVERNANCE, TOKEN } from "../helpers/fixtures.js";
import type { GovernedSystem } from "../helpers/fixtures.js";
import { GovernorHelper, ProposalState, stateBitmap, VoteType } from "../helpers/governance.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

const GRANT = 50_000n * TOKEN;

/** A real treasury proposal: pay a community-event organiser from the timelock's tokens. */
async function organiserGrant(
  sys: GovernedSystem,
  description = "Grant 50,000 CRED to the organiser of the Lisbon prompt-engineering meetup",
) {
  return new GovernorHelper(sys.governor, networkHelpers, {
    targets: [await sys.token.getAddress()],
    values: [0n],
    calldatas: [sys.token.interface.encodeFunctionData("transfer", [sys.organiser.address, GRANT])],
    description,
  });
}

/** A proposal that calls the governor itself (through the timelock, its executor). */
async function governorCall(sys: GovernedSystem, data: string, description: string) {
  return new GovernorHelper(sys.governor, networkHelpers, {
    targets: [await sys.governor.getAddress()],
    values: [0n],
    calldatas: [data],
    description,
  });
}

describe("CreditGovernor", function () {
  describe("configuration", function () {
    it("is deployed with the parameters given to the Ignition module", async function () {
      const { governor, token, timelock } = await networkHelpers.loadFixture(deployGovernedSystem);
      expect(await governor.name()).to.equal("CreditGovernor");
      expect(await governor.token()).to.equal(await token.getAddress());
      expect(await governor.timelock()).to.equal(await timelock.getAddress());
      expect(await governor.votingDelay()).to.equal(TEST_GOVERNANCE.votingDelay);
      expect(await governor.votingPeriod()).to.equal(TEST_GOVERNANCE.votingPeriod);
      expect(await governor.proposalThreshold()).to.equal(TEST_GOVERNANCE.proposalThreshold);
      expect(await governor["quorumNumerator()"]()).to.equal(TEST_GOVERNANCE.quorumPercent);
      expect(await governor.lateQuorumVoteExtension()).to.equal(TEST_GOVERNANCE.voteExtension);
      expect(await timelock.getMinDelay()).to.equal(TEST_GOVERNANCE.timelockMinDelay);
      expect(await governor.CLOCK_MODE()).to.equal("mode=timestamp");
      expect(await governor.COUNTING_MODE()).to.equal("support=bravo&quorum=for,abstain");
    });
  });

  describe("a treasury grant to a community-event organiser, end to end", function () {
    it("goes propose → vote (for, against, abstain) → queue → execute", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { governor, token, timelock, alice, bob, carol, organiser, outsider } = sys;
      const proposal = await organiserGrant(sys);
      const treasuryBefore = await token.balanceOf(await timelock.getAddress());

      await expect(proposal.propose(alice)).to.emit(governor, "ProposalCreated");
      const id = await proposal.computeId();
      proposal.id = id;
      expect(await proposal.state()).to.equal(ProposalState.Pending);
      expect(await governor.proposalProposer(id)).to.equal(alice.address);

      // GovernorStorage makes the proposal enumerable on-chain.
      expect(await governor.proposalCount()).to.equal(1n);
      const stored = await governor.proposalDetailsAt(0);
      expect(stored.proposalId).to.equal(id);
      expect(stored.descriptionHash).to.equal(proposal.descriptionHash);

      await proposal.waitForSnapshot();
      expect(await proposal.state()).to.equal(ProposalState.Active);

      await expect(proposal.vote(alice, VoteType.For, "organisers grow the contributor base"))
        .to.emit(governor, "VoteCast")
        .withArgs(alice.address, id, VoteType.For, GENESIS.alice, "organisers grow the contributor base");
      await expect(proposal.vote(bob, VoteType.Against))
        .to.emit(governor, "VoteCast")
        .withArgs(bob.address, id, VoteType.Against, GENESIS.bob, "");
      await proposal.vote(carol, VoteType.Abstain);
      expect(await governor.hasVoted(id, bob.address)).to.equal(true);
      const [against, forVotes, abstain] = await governor.proposalVotes(id);
      expect([against, forVotes, abstain]).to.deep.equal([GENESIS.bob, GENESIS.alice, GENESIS.carol]);

      // A second vote from the same account is refused.
      await expect(proposal.vote(alice, VoteType.Against))
        .to.be.revertedWithCustomError(governor, "GovernorAlreadyCastVote")
        .withArgs(alice.address);

      await proposal.waitForDeadline();
      expect(await proposal.state()).to.equal(ProposalState.Succeeded);

      await expect(proposal.queue(outsider)).to.emit(governor, "ProposalQueued");
      expect(await proposal.state()).to.equal(ProposalState.Queued);
      const eta = await governor.proposalEta(id);
      expect(eta).to.equal(BigInt(await time.latest()) + TEST_GOVERNANCE.timelockMinDelay);

      await proposal.waitForEta();
      // Execution is open to anyone once the delay has passed.
      await expect(proposal.execute(outsider)).to.emit(governor, "ProposalExecuted").withArgs(id);
      expect(await proposal.state()).to.equal(ProposalState.Executed);
      expect(await token.balanceOf(organiser.address)).to.equal(GRANT);
      expect(await token.balanceOf(await timelock.getAddress())).to.equal(treasuryBefore - GRANT);
    });

    it("queues and executes by proposal id (GovernorStorage), as the CLI will", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const proposal = await organiserGrant(sys);
      const id = await proposal.proposeAndRecord(sys.alice);
      await proposal.waitForSnapshot();
      await proposal.vote(sys.alice, VoteType.For);
      await proposal.waitForDeadline();
      await sys.governor["queue(uint256)"](id);
      await proposal.waitForEta();
      await sys.governor["execute(uint256)"](id);
      expect(await sys.token.balanceOf(sys.organiser.address)).to.equal(GRANT);
    });
  });

  describe("failing paths", function () {
    it("defeats a proposal that does not reach quorum, and refuses to queue it", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { governor, dave } = sys;
      const proposal = await organiserGrant(sys);
      const id = await proposal.proposeAndRecord(sys.alice);
      await proposal.waitForSnapshot();
      await proposal.vote(dave, VoteType.For); // 1M for, quorum ~16M
      const snapshot = await governor.proposalSnapshot(id);
      expect(await governor.quorum(snapshot)).to.be.greaterThan(GENESIS.dave);
      await proposal.waitForDeadline();
      expect(await proposal.state()).to.equal(ProposalState.Defeated);
      await expect(proposal.queue())
        .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
        .withArgs(id, ProposalState.Defeated, stateBitmap(ProposalState.Succeeded));
    });

    it("defeats a proposal with more votes against than for, even with quorum", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const proposal = await organiserGrant(sys);
      await proposal.proposeAndRecord(sys.alice);
      await proposal.waitForSnapshot();
      await proposal.vote(sys.bob, VoteType.For);
      await proposal.vote(sys.alice, VoteType.Against);
      await proposal.waitForDeadline();
      expect(await proposal.state()).to.equal(ProposalState.Defeated);
    });

    it("refuses a proposer below the threshold, with votes and threshold", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { governor, token, eve } = sys;
      await token.connect(eve).delegate(eve.address);
      await time.increase(1);
      const proposal = await organiserGrant(sys);
      await expect(proposal.propose(eve))
        .to.be.revertedWithCustomError(governor, "GovernorInsufficientProposerVotes")
        .withArgs(eve.address, GENESIS.eve, TEST_GOVERNANCE.proposalThreshold);
    });

    it("refuses execution before the timelock delay has passed", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { timelock, alice, token, organiser } = sys;
      const proposal = await organiserGrant(sys);
      await proposal.proposeAndRecord(alice);
      await proposal.waitForSnapshot();
      await proposal.vote(alice, VoteType.For);
      await proposal.waitForDeadline();
      await proposal.queue();
      await proposal.waitForEta(-2n);
      await expect(proposal.execute()).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
      expect(await token.balanceOf(organiser.address)).to.equal(0n);
      expect(await proposal.state()).to.equal(ProposalState.Queued);
    });

    it("refuses a vote after the voting period has ended", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { governor, alice, bob } = sys;
      const proposal = await organiserGrant(sys);
      const id = await proposal.proposeAndRecord(alice);
      await proposal.waitForSnapshot();
      await proposal.vote(alice, VoteType.For);
      await proposal.waitForDeadline();
      await expect(proposal.vote(bob, VoteType.Against))
        .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
        .withArgs(id, ProposalState.Succeeded, stateBitmap(ProposalState.Active));
    });

    it("refuses a vote before the snapshot", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { governor, alice } = sys;
      const proposal = await organiserGrant(sys);
      const id = await proposal.proposeAndRecord(alice);
      await expect(proposal.vote(alice, VoteType.For))
        .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
        .withArgs(id, ProposalState.Pending, stateBitmap(ProposalState.Active));
    });

    it("extends the deadline when quorum is reached late, so opponents can still vote", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { governor, alice, bob } = sys;
      const proposal = await organiserGrant(sys);
      const id = await proposal.proposeAndRecord(alice);
      await proposal.waitForSnapshot();
      const originalDeadline = await governor.proposalDeadline(id);

      // Quorum arrives 100 seconds before the original deadline.
      await time.setNextBlockTimestamp(originalDeadline - 100n);
      const extended = originalDeadline - 100n + TEST_GOVERNANCE.voteExtension;
      await expect(proposal.vote(alice, VoteType.For)).to.emit(governor, "ProposalExtended").withArgs(id, extended);
      expect(await governor.proposalDeadline(id)).to.equal(extended);

      // Past the original deadline the vote is still open, and the opposition can respond.
      await time.increaseTo(originalDeadline + 1n);
      expect(await proposal.state()).to.equal(ProposalState.Active);
      await proposal.vote(bob, VoteType.Against);
      await proposal.waitForDeadline();
      expect(await proposal.state()).to.equal(ProposalState.Succeeded);
    });

    it("does not extend the deadline when quorum is reached early", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { governor, alice } = sys;
      const proposal = await organiserGrant(sys);
      const id = await proposal.proposeAndRecord(alice);
      await proposal.waitForSnapshot();
      const deadline = await governor.proposalDeadline(id);
      await expect(proposal.vote(alice, VoteType.For)).not.to.emit(governor, "ProposalExtended");
      expect(await governor.proposalDeadline(id)).to.equal(deadline);
    });
  });

  describe("flash-loan resistance: votes are read at the snapshot", function () {
    it("gives no weight to tokens borrowed, delegated and voted within one transaction", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { governor, token, alice, eve } = sys;
      const proposal = await organiserGrant(sys);
      const id = await proposal.proposeAndRecord(alice);
      await proposal.waitForSnapshot();

      const voter = await ethers.deployContract("FlashVoter");
      // Eve lends (a lending pool's liquidity, in the attack) 40M that bob holds.
      await token.connect(sys.bob).transfer(eve.address, 25_000_000n * TOKEN);
      const lent = GENESIS.eve + 25_000_000n * TOKEN;
      await token.connect(eve).approve(await voter.getAddress(), lent);
      await expect(
        voter.borrowAndVote(await token.getAddress(), eve.address, lent, await governor.getAddress(), id, VoteType.For),
      )
        .to.emit(governor, "VoteCast")
        .withArgs(await voter.getAddress(), id, VoteType.For, 0n, "");
      const [, forVotes] = await governor.proposalVotes(id);
      expect(forVotes).to.equal(0n);
      expect(await token.balanceOf(eve.address)).to.equal(lent); // repaid
    });

    it("gives no weight to tokens bought after the snapshot, and keeps the seller's snapshot weight", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { governor, token, alice, bob, eve } = sys;
      const proposal = await organiserGrant(sys);
      const id = await proposal.proposeAndRecord(alice);
      await proposal.waitForSnapshot();

      await token.connect(bob).transfer(eve.address, GENESIS.bob); // eve "buys" all of bob's tokens
      await token.connect(eve).delegate(eve.address);
      expect(await token.getVotes(eve.address)).to.equal(GENESIS.bob + GENESIS.eve);

      await proposal.vote(eve, VoteType.Against);
      await proposal.vote(bob, VoteType.Against);
      const [against] = await governor.proposalVotes(id);
      expect(against).to.equal(GENESIS.bob); // bob's weight at the snapshot, eve's is zero
    });
  });

  describe("the proposal guardian", function () {
    it("cancels a queued proposal, which then cannot execute", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { governor, timelock, alice, guardian, organiser, token } = sys;
      const proposal = await organiserGrant(sys);
      const id = await proposal.proposeAndRecord(alice);
      await proposal.waitForSnapshot();
      await proposal.vote(alice, VoteType.For);
      await proposal.waitForDeadline();
      await proposal.queue();
      const operationId = await proposal.timelockOperationId(timelock);
      expect(await timelock.isOperationPending(operationId)).to.equal(true);

      await expect(proposal.cancel(guardian)).to.emit(governor, "ProposalCanceled").withArgs(id);
      expect(await proposal.state()).to.equal(ProposalState.Canceled);
      expect(await timelock.isOperation(operationId)).to.equal(false);

      await proposal.waitForEta();
      await expect(proposal.execute())
        .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
        .withArgs(id, ProposalState.Canceled, stateBitmap(ProposalState.Queued));
      expect(await token.balanceOf(organiser.address)).to.equal(0n);
    });

    it("cancels an active proposal", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const proposal = await organiserGrant(sys);
      await proposal.proposeAndRecord(sys.alice);
      await proposal.waitForSnapshot();
      await proposal.cancel(sys.guardian);
      expect(await proposal.state()).to.equal(ProposalState.Canceled);
    });

    it("can do nothing else: no settings, no timelock, no token admin, no proposing", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { governor, timelock, token, guardian } = sys;
      const g = governor.connect(guardian);
      await expect(g.setProposalGuardian(guardian.address))
        .to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor")
        .withArgs(guardian.address);
      await expect(g.setVotingPeriod(1n)).to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor");
      await expect(g.setVotingDelay(0n)).to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor");
      await expect(g.setProposalThreshold(0n)).to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor");
      await expect(g.updateQuorumNumerator(1n)).to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor");
      await expect(g.setLateQuorumVoteExtension(0n)).to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor");
      await expect(g.updateTimelock(guardian.address)).to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor");
      await expect(g.relay(await token.getAddress(), 0n, "0x")).to.be.revertedWithCustomError(
        governor,
        "GovernorOnlyExecutor",
      );
      await expect(
        timelock
          .connect(guardian)
          .schedule(await token.getAddress(), 0n, "0x", ethers.ZeroHash, ethers.ZeroHash, 86400n),
      )
        .to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount")
        .withArgs(guardian.address, await timelock.PROPOSER_ROLE());
      await expect(timelock.connect(guardian).cancel(ethers.ZeroHash))
        .to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount")
        .withArgs(guardian.address, await timelock.CANCELLER_ROLE());
      await expect(token.connect(guardian).grantRole(await token.MINTER_ROLE(), guardian.address))
        .to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount")
        .withArgs(guardian.address, await token.DEFAULT_ADMIN_ROLE());
      const proposal = await organiserGrant(sys);
      await expect(proposal.propose(guardian)).to.be.revertedWithCustomError(
        governor,
        "GovernorInsufficientProposerVotes",
      );
    });

    it("refuses cancellation by anyone else once voting has started", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { governor, alice, outsider } = sys;
      const proposal = await organiserGrant(sys);
      const id = await proposal.proposeAndRecord(alice);
      await expect(proposal.cancel(outsider))
        .to.be.revertedWithCustomError(governor, "GovernorUnableToCancel")
        .withArgs(id, outsider.address);
      await proposal.waitForSnapshot();
      // With a guardian set, the proposer may cancel only while Pending (OpenZeppelin's default).
      await expect(proposal.cancel(alice))
        .to.be.revertedWithCustomError(governor, "GovernorUnableToCancel")
        .withArgs(id, alice.address);
    });

    it("is replaced and removed only through governance", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { governor, alice, bob, guardian, outsider } = sys;
      await expect(governor.connect(outsider).setProposalGuardian(outsider.address))
        .to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor")
        .withArgs(outsider.address);

      const replace = await governorCall(
        sys,
        governor.interface.encodeFunctionData("setProposalGuardian", [outsider.address]),
        "Hand the proposal guardian role to the security council",
      );
      const receipt = await replace.passWith(alice, [alice, bob]);
      expect(receipt).to.not.equal(null);
      expect(await governor.proposalGuardian()).to.equal(outsider.address);
      await expect(replace.execute()).to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState");

      const remove = await governorCall(
        sys,
        governor.interface.encodeFunctionData("setProposalGuardian", [ZeroAddress]),
        "Remove the proposal guardian",
      );
      await remove.proposeAndRecord(alice);
      await remove.waitForSnapshot();
      await remove.vote(alice, VoteType.For);
      await remove.waitForDeadline();
      await remove.queue();
      await remove.waitForEta();
      await expect(remove.execute()).to.emit(governor, "ProposalGuardianSet").withArgs(outsider.address, ZeroAddress);
      expect(await governor.proposalGuardian()).to.equal(ZeroAddress);

      // The old guardian lost its power.
      const next = await organiserGrant(sys, "A later grant");
      await next.proposeAndRecord(alice);
      await expect(next.cancel(guardian)).to.be.revertedWithCustomError(governor, "GovernorUnableToCancel");
    });
  });

  describe("governed settings", function () {
    it("changes the voting period and quorum only through a proposal", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { governor, alice } = sys;
      const proposal = new GovernorHelper(governor, networkHelpers, {
        targets: [await governor.getAddress(), await governor.getAddress()],
        values: [0n, 0n],
        calldatas: [
          governor.interface.encodeFunctionData("setVotingPeriod", [5n * 24n * 3600n]),
          governor.interface.encodeFunctionData("updateQuorumNumerator", [10n]),
        ],
        description: "Lengthen voting to five days and raise quorum to 10%",
      });
      await proposal.passWith(alice, [alice]);
      expect(await governor.votingPeriod()).to.equal(5n * 24n * 3600n);
      expect(await governor["quorumNumerator()"]()).to.equal(10n);
    });
  });
});
