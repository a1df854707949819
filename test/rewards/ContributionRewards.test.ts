import { expect } from "chai";
import { Signature, ZeroAddress, ZeroHash } from "ethers";
import { network } from "hardhat";
import type { Hex } from "viem";
import { getAddress, hashTypedData, recoverAddress } from "viem";

import { CategoryId, DEFAULT_CATEGORIES } from "../../src/sdk/categories.js";
import { packContribution } from "../../src/sdk/contributions.js";
import type { Contribution } from "../../src/sdk/contributions.js";
import { contributionRewardsDomain, rewardBatchTypes } from "../../src/sdk/eip712.js";
import { deployGovernedSystem, oracleAccounts, TEST_REWARDS, TOKEN } from "../helpers/fixtures.js";
import type { GovernedSystem } from "../helpers/fixtures.js";
import { pinBudget } from "../helpers/emission.js";
import { GovernorHelper } from "../helpers/governance.js";
import { impersonate } from "../helpers/impersonate.js";
import { contributionsTo, freshAddresses, signAttestation, signBatch } from "../helpers/rewards.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const BPS = 10_000n;
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function baseReward(category: number): bigint {
  const found = DEFAULT_CATEGORIES.find((c) => c.id === category);
  if (!found) throw new Error(`no category ${category}`);
  return found.baseReward;
}

/** The on-chain formula at reward scale 1.0 (the static policy). */
function expectedAmount(category: number, quality: number): bigint {
  return (baseReward(category) * BigInt(quality)) / BPS;
}

function quorum(sys: GovernedSystem) {
  return sys.oracles.slice(0, 3);
}

async function timelockSigner(sys: GovernedSystem) {
  return impersonate(connection, await sys.timelock.getAddress());
}

describe("ContributionRewards", function () {
  describe("rewarding", function () {
    it("rewards a batch of 1 signed 3-of-5 and emits what an indexer needs", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const [contributor] = freshAddresses(1);
      const items = contributionsTo([contributor!], 7n, CategoryId.bugFix, 12_500);
      const batch = await signBatch(sys.rewards, items, { signers: quorum(sys) });
      const amount = expectedAmount(CategoryId.bugFix, 12_500);
      const digest = await sys.rewards.hashRewardBatch(batch.args);
      const epoch = await sys.emission.currentEpoch();

      await expect(sys.rewards.rewardBatch(batch.args, batch.signatures))
        .to.emit(sys.rewards, "ContributionRewarded")
        .withArgs(7n, contributor, CategoryId.bugFix, 12_500, amount)
        .and.to.emit(sys.rewards, "BatchProcessed")
        .withArgs(digest, batch.message.manifest, epoch, 1n, 0n, amount)
        .and.to.emit(sys.token, "Transfer")
        .withArgs(ZeroAddress, contributor, amount)
        .and.to.emit(sys.emission, "MintRecorded")
        .withArgs(epoch, await sys.rewards.getAddress(), amount, amount);
      expect(await sys.token.balanceOf(contributor!)).to.equal(amount);
      expect(await sys.rewards.isRewarded(7n)).to.equal(true);
      expect(await sys.rewards.isRewarded(8n)).to.equal(false);
      expect((await sys.emission.epochState(epoch)).minted).to.equal(amount);
    });

    it("rewards a batch of 100 across every default category with exact amounts", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const recipients = freshAddresses(100);
      const items: Contribution[] = recipients.map((contributor, i) => ({
        id: 1_000n + BigInt(i) * 3n, // gaps are fine; only strictly increasing order is required
        contributor: getAddress(contributor),
        category: i % DEFAULT_CATEGORIES.length,
        quality: 5_000 + ((i * 997) % 15_001),
      }));
      const batch = await signBatch(sys.rewards, items, { signers: quorum(sys) });
      const supplyBefore = await sys.token.totalSupply();
      const receipt = await (await sys.rewards.rewardBatch(batch.args, batch.signatures)).wait();
      let total = 0n;
      for (const item of items) {
        const amount = expectedAmount(item.category, item.quality);
        total += amount;
        expect(await sys.token.balanceOf(item.contributor)).to.equal(amount);
        expect(await sys.rewards.isRewarded(item.id)).to.equal(true);
      }
      expect(await sys.token.totalSupply()).to.equal(supplyBefore + total);
      const rewardedLogs = receipt!.logs.filter(
        (log) => log.topics[0] === sys.rewards.interface.getEvent("ContributionRewarded").topicHash,
      );
      expect(rewardedLogs).to.have.length(100);
    });

    it("sends the same contributor several rewards in one batch", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const [contributor] = freshAddresses(1);
      const items = [1n, 2n, 3n].map((id) => ({
        id,
        contributor: getAddress(contributor!),
        category: CategoryId.dataAnnotation,
        quality: 10_000,
      }));
      const batch = await signBatch(sys.rewards, items, { signers: quorum(sys) });
      await sys.rewards.rewardBatch(batch.args, batch.signatures);
      expect(await sys.token.balanceOf(contributor!)).to.equal(3n * baseReward(CategoryId.dataAnnotation));
    });

    it("moves votes to the delegate of a self-delegated contributor", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const votesBefore = await sys.token.getVotes(sys.dave.address);
      const items = contributionsTo([sys.dave.address], 1n, CategoryId.communityEvent, 10_000);
      const batch = await signBatch(sys.rewards, items, { signers: quorum(sys) });
      await sys.rewards.rewardBatch(batch.args, batch.signatures);
      expect(await sys.token.getVotes(sys.dave.address)).to.equal(votesBefore + baseReward(CategoryId.communityEvent));
    });

    it("accepts a single attestation submitted by the contributor", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const contribution = {
        id: 42n,
        contributor: getAddress(sys.eve.address),
        category: CategoryId.educationalContent,
        quality: 18_000,
      };
      const { signatures, signerSetVersion, deadline } = await signAttestation(sys.rewards, contribution, quorum(sys));
      const amount = expectedAmount(CategoryId.educationalContent, 18_000);
      const before = await sys.token.balanceOf(sys.eve.address);
      await expect(
        sys.rewards.connect(sys.eve).rewardContribution(contribution, signerSetVersion, deadline, signatures),
      )
        .to.emit(sys.rewards, "ContributionRewarded")
        .withArgs(42n, sys.eve.address, CategoryId.educationalContent, 18_000, amount);
      expect(await sys.token.balanceOf(sys.eve.address)).to.equal(before + amount);
      expect(await sys.rewards.isRewarded(42n)).to.equal(true);
    });

    it("signs the same digest in the SDK (viem) as the contract computes", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const items = contributionsTo(freshAddresses(3), 10n, CategoryId.bugReport, 9_000);
      const batch = await signBatch(sys.rewards, items, { signers: quorum(sys) });
      const { chainId } = await ethers.provider.getNetwork();
      const digest = hashTypedData({
        domain: contributionRewardsDomain({ chainId, rewards: getAddress(await sys.rewards.getAddress()) }),
        types: rewardBatchTypes,
        primaryType: "RewardBatch",
        message: { ...batch.message, contributions: [...batch.message.contributions] },
      });
      expect(await sys.rewards.hashRewardBatch(batch.args)).to.equal(digest);
    });
  });

  describe("attacks, each rejected with nothing changed", function () {
    function oneItemBatch(_sys: GovernedSystem, id = 1n) {
      const [contributor] = freshAddresses(1, `attack-${id}`);
      return contributionsTo([contributor!], id, CategoryId.taskCompletion, 10_000);
    }

    it("k - 1 signatures", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const batch = await signBatch(sys.rewards, oneItemBatch(sys), { signers: sys.oracles.slice(0, 2) });
      await expect(sys.rewards.rewardBatch(batch.args, batch.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsInsufficientQuorum")
        .withArgs(2n, 3n);
    });

    it("one signer twice", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const batch = await signBatch(sys.rewards, oneItemBatch(sys), { signers: sys.oracles.slice(0, 2) });
      const first = await recoverAddress({
        hash: (await sys.rewards.hashRewardBatch(batch.args)) as Hex,
        signature: batch.signatures[0]!,
      });
      const doubled = [batch.signatures[0]!, batch.signatures[0]!, batch.signatures[1]!];
      await expect(sys.rewards.rewardBatch(batch.args, doubled))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsSignersNotAscending")
        .withArgs(first, first);
    });

    it("signatures out of signer order", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const batch = await signBatch(sys.rewards, oneItemBatch(sys), { signers: quorum(sys) });
      const reversed = [...batch.signatures].reverse();
      await expect(sys.rewards.rewardBatch(batch.args, reversed)).to.be.revertedWithCustomError(
        sys.rewards,
        "ContributionRewardsSignersNotAscending",
      );
    });

    it("a signer who is not in the set", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const outsiders = oracleAccounts(3, "not-an-oracle");
      const batch = await signBatch(sys.rewards, oneItemBatch(sys), {
        signers: [...sys.oracles.slice(0, 2), outsiders[0]!],
      });
      await expect(sys.rewards.rewardBatch(batch.args, batch.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsUnauthorizedSigner")
        .withArgs(outsiders[0]!.address);
    });

    it("a signature made for another chain id", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const batch = await signBatch(sys.rewards, oneItemBatch(sys), { signers: quorum(sys), chainId: 10n });
      const digest = (await sys.rewards.hashRewardBatch(batch.args)) as Hex;
      const recovered = await Promise.all(
        batch.signatures.map((signature) => recoverAddress({ hash: digest, signature })),
      );
      // The first signature recovers to some unrelated address, which is not a signer.
      await expect(sys.rewards.rewardBatch(batch.args, batch.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsUnauthorizedSigner")
        .withArgs(recovered[0]);
      for (const address of recovered) expect(sys.oracles.map((o) => o.address)).not.to.include(address);
    });

    it("a signature made for another contract address", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const batch = await signBatch(sys.rewards, oneItemBatch(sys), {
        signers: quorum(sys),
        verifyingContract: await sys.emission.getAddress(),
      });
      const digest = (await sys.rewards.hashRewardBatch(batch.args)) as Hex;
      const recovered = await Promise.all(
        batch.signatures.map((signature) => recoverAddress({ hash: digest, signature })),
      );
      for (const address of recovered) expect(sys.oracles.map((o) => o.address)).not.to.include(address);
      await expect(sys.rewards.rewardBatch(batch.args, batch.signatures)).to.revert(ethers);
      expect(await sys.rewards.isRewarded(1n)).to.equal(false);
    });

    it("items altered after signing", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const items = oneItemBatch(sys);
      const batch = await signBatch(sys.rewards, items, { signers: quorum(sys) });
      const altered = { ...batch.args, contributions: [packContribution({ ...items[0]!, quality: 20_000 })] };
      await expect(sys.rewards.rewardBatch(altered, batch.signatures)).to.be.revertedWithCustomError(
        sys.rewards,
        "ContributionRewardsUnauthorizedSigner",
      );
      const redirected = {
        ...batch.args,
        contributions: [packContribution({ ...items[0]!, contributor: getAddress(sys.eve.address) })],
      };
      await expect(sys.rewards.rewardBatch(redirected, batch.signatures)).to.be.revertedWithCustomError(
        sys.rewards,
        "ContributionRewardsUnauthorizedSigner",
      );
      const otherManifest = { ...batch.args, manifest: ZeroHash as Hex };
      await expect(sys.rewards.rewardBatch(otherManifest, batch.signatures)).to.be.revertedWithCustomError(
        sys.rewards,
        "ContributionRewardsUnauthorizedSigner",
      );
      expect(await sys.token.balanceOf(sys.eve.address)).to.equal(50_000n * TOKEN);
    });

    it("a deadline that has passed", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const deadline = BigInt(await time.latest()) + 60n;
      const batch = await signBatch(sys.rewards, oneItemBatch(sys), { signers: quorum(sys), deadline });
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(sys.rewards.rewardBatch(batch.args, batch.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsExpired")
        .withArgs(deadline, deadline + 1n);
    });

    it("a whole batch replayed", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const batch = await signBatch(sys.rewards, contributionsTo(freshAddresses(3), 5n, 0, 10_000), {
        signers: quorum(sys),
      });
      await sys.rewards.rewardBatch(batch.args, batch.signatures);
      const supply = await sys.token.totalSupply();
      await expect(sys.rewards.rewardBatch(batch.args, batch.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsAlreadyRewarded")
        .withArgs(5n);
      expect(await sys.token.totalSupply()).to.equal(supply);
    });

    it("a contribution re-sent in a later batch", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const recipients = freshAddresses(3);
      const first = await signBatch(sys.rewards, contributionsTo(recipients, 10n, 0, 10_000), { signers: quorum(sys) });
      await sys.rewards.rewardBatch(first.args, first.signatures);
      // ids 8, 9 are new; 10 was rewarded above.
      const later = await signBatch(sys.rewards, contributionsTo(recipients, 8n, 0, 10_000), { signers: quorum(sys) });
      await expect(sys.rewards.rewardBatch(later.args, later.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsAlreadyRewarded")
        .withArgs(10n);
      expect(await sys.rewards.isRewarded(8n)).to.equal(false);
      expect(await sys.rewards.isRewarded(9n)).to.equal(false);
    });

    it("a contribution re-sent through the other path, both ways", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const [a, b] = freshAddresses(2);
      const viaBatch = contributionsTo([a!], 100n, CategoryId.moderation, 10_000);
      const batch = await signBatch(sys.rewards, viaBatch, { signers: quorum(sys) });
      await sys.rewards.rewardBatch(batch.args, batch.signatures);
      const again = await signAttestation(sys.rewards, viaBatch[0]!, quorum(sys));
      await expect(
        sys.rewards.rewardContribution(viaBatch[0]!, again.signerSetVersion, again.deadline, again.signatures),
      )
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsAlreadyRewarded")
        .withArgs(100n);

      const single = { id: 200n, contributor: getAddress(b!), category: CategoryId.moderation, quality: 10_000 };
      const att = await signAttestation(sys.rewards, single, quorum(sys));
      await sys.rewards.rewardContribution(single, att.signerSetVersion, att.deadline, att.signatures);
      const viaBatchAgain = await signBatch(sys.rewards, [single], { signers: quorum(sys) });
      await expect(sys.rewards.rewardBatch(viaBatchAgain.args, viaBatchAgain.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsAlreadyRewarded")
        .withArgs(200n);
    });

    it("the same contribution twice inside one batch, and ids out of order", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const [a] = freshAddresses(1);
      const item = { id: 5n, contributor: getAddress(a!), category: 0, quality: 10_000 };
      const twice = await signBatch(sys.rewards, [item, item], { signers: quorum(sys) });
      await expect(sys.rewards.rewardBatch(twice.args, twice.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsIdsNotAscending")
        .withArgs(5n, 5n);
      const unordered = await signBatch(sys.rewards, [{ ...item, id: 6n }, item], { signers: quorum(sys) });
      await expect(sys.rewards.rewardBatch(unordered.args, unordered.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsIdsNotAscending")
        .withArgs(5n, 6n);
      expect(await sys.rewards.isRewarded(5n)).to.equal(false);
      expect(await sys.token.balanceOf(a!)).to.equal(0n);
    });

    it("a malleable (high-s) signature", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const batch = await signBatch(sys.rewards, oneItemBatch(sys), { signers: quorum(sys) });
      const sig = Signature.from(batch.signatures[0]);
      const highS = SECP256K1_N - BigInt(sig.s);
      const flippedV = sig.v === 27 ? 28 : 27;
      const malleable = `0x${sig.r.slice(2)}${highS.toString(16).padStart(64, "0")}${flippedV.toString(16)}` as Hex;
      // The malleable twin recovers to the same signer: only the low-s rule rejects it.
      const digest = (await sys.rewards.hashRewardBatch(batch.args)) as Hex;
      expect(await recoverAddress({ hash: digest, signature: malleable })).to.equal(
        await recoverAddress({ hash: digest, signature: batch.signatures[0]! }),
      );
      await expect(sys.rewards.rewardBatch(batch.args, [malleable, ...batch.signatures.slice(1)]))
        .to.be.revertedWithCustomError(sys.rewards, "ECDSAInvalidSignatureS")
        .withArgs(`0x${highS.toString(16).padStart(64, "0")}`);
    });

    it("a signature of the wrong length", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const batch = await signBatch(sys.rewards, oneItemBatch(sys), { signers: quorum(sys) });
      const short = batch.signatures[0]!.slice(0, 130) as Hex;
      await expect(sys.rewards.rewardBatch(batch.args, [short, ...batch.signatures.slice(1)]))
        .to.be.revertedWithCustomError(sys.rewards, "ECDSAInvalidSignatureLength")
        .withArgs(64n);
    });

    it("a stale signer-set version", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const batch = await signBatch(sys.rewards, oneItemBatch(sys), {
        signers: quorum(sys),
        signerSetVersion: 7n,
      });
      await expect(sys.rewards.rewardBatch(batch.args, batch.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsStaleSignerSet")
        .withArgs(7n, 1n);
    });

    it("quality above the maximum, and zero quality", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const [a] = freshAddresses(1);
      const over = await signBatch(sys.rewards, contributionsTo([a!], 1n, 0, 20_001), { signers: quorum(sys) });
      await expect(sys.rewards.rewardBatch(over.args, over.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsQualityOutOfRange")
        .withArgs(1n, 20_001, 20_000);
      const zero = await signBatch(sys.rewards, contributionsTo([a!], 1n, 0, 0), { signers: quorum(sys) });
      await expect(sys.rewards.rewardBatch(zero.args, zero.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsQualityOutOfRange")
        .withArgs(1n, 0, 20_000);
      const item = { id: 2n, contributor: getAddress(a!), category: 0, quality: 20_001 };
      const att = await signAttestation(sys.rewards, item, quorum(sys));
      await expect(
        sys.rewards.rewardContribution(item, att.signerSetVersion, att.deadline, att.signatures),
      ).to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsQualityOutOfRange");
    });

    it("a disabled category and an unknown category", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const timelock = await timelockSigner(sys);
      await expect(sys.rewards.connect(timelock).setCategoryEnabled(CategoryId.moderation, false))
        .to.emit(sys.rewards, "CategoryEnabledSet")
        .withArgs(CategoryId.moderation, false);
      const [a] = freshAddresses(1);
      const disabled = await signBatch(sys.rewards, contributionsTo([a!], 1n, CategoryId.moderation, 10_000), {
        signers: quorum(sys),
      });
      await expect(sys.rewards.rewardBatch(disabled.args, disabled.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsCategoryDisabled")
        .withArgs(CategoryId.moderation);
      const unknown = await signBatch(sys.rewards, contributionsTo([a!], 1n, 200, 10_000), { signers: quorum(sys) });
      await expect(sys.rewards.rewardBatch(unknown.args, unknown.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsUnknownCategory")
        .withArgs(200);
      await sys.rewards.connect(timelock).setCategoryEnabled(CategoryId.moderation, true);
      await expect(sys.rewards.rewardBatch(disabled.args, disabled.signatures)).not.to.revert(ethers);
    });

    it("a zero contributor, a non-canonical packed word and an empty batch", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const zero = await signBatch(
        sys.rewards,
        [{ id: 3n, contributor: ZeroAddress as Hex, category: 0, quality: 10_000 }],
        {
          signers: quorum(sys),
        },
      );
      await expect(sys.rewards.rewardBatch(zero.args, zero.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsInvalidContributor")
        .withArgs(3n);
      const [a] = freshAddresses(1);
      const word = BigInt(packContribution({ id: 4n, contributor: getAddress(a!), category: 0, quality: 10_000 }));
      const padded = `0x${(word | (1n << 160n)).toString(16).padStart(64, "0")}`;
      const batch = await signBatch(sys.rewards, contributionsTo([a!], 4n, 0, 10_000), { signers: quorum(sys) });
      await expect(sys.rewards.rewardBatch({ ...batch.args, contributions: [padded] }, batch.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "PackedContributionNonCanonical")
        .withArgs(BigInt(padded));
      await expect(
        sys.rewards.rewardBatch({ ...batch.args, contributions: [] }, batch.signatures),
      ).to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsEmptyBatch");
    });

    it("while paused, on both paths", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      await expect(sys.rewards.connect(sys.guardian).pause()).to.emit(sys.rewards, "Paused");
      const items = oneItemBatch(sys);
      const batch = await signBatch(sys.rewards, items, { signers: quorum(sys) });
      await expect(sys.rewards.rewardBatch(batch.args, batch.signatures)).to.be.revertedWithCustomError(
        sys.rewards,
        "EnforcedPause",
      );
      const att = await signAttestation(sys.rewards, items[0]!, quorum(sys));
      await expect(
        sys.rewards.rewardContribution(items[0]!, att.signerSetVersion, att.deadline, att.signatures),
      ).to.be.revertedWithCustomError(sys.rewards, "EnforcedPause");
    });

    it("a signer set with a zero address, a duplicate, or a threshold outside 1..n", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const timelock = await timelockSigner(sys);
      const keys = oracleAccounts(40, "rotation").map((a) => a.address);
      await expect(sys.rewards.connect(timelock).setSigners([keys[0]!, ZeroAddress], 1n)).to.be.revertedWithCustomError(
        sys.rewards,
        "ContributionRewardsZeroSigner",
      );
      await expect(sys.rewards.connect(timelock).setSigners([keys[0]!, keys[1]!, keys[0]!], 2n))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsDuplicateSigner")
        .withArgs(keys[0]!);
      await expect(sys.rewards.connect(timelock).setSigners([keys[0]!, keys[1]!], 0n))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsInvalidSignerSet")
        .withArgs(2n, 0n);
      await expect(sys.rewards.connect(timelock).setSigners([keys[0]!, keys[1]!], 3n))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsInvalidSignerSet")
        .withArgs(2n, 3n);
      await expect(sys.rewards.connect(timelock).setSigners([], 0n))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsInvalidSignerSet")
        .withArgs(0n, 0n);
      await expect(sys.rewards.connect(timelock).setSigners(keys.slice(0, 33), 3n))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsInvalidSignerSet")
        .withArgs(33n, 3n);
      const [, , version] = await sys.rewards.signerSet();
      expect(version).to.equal(1n);
    });
  });

  describe("the epoch budget", function () {
    /** Pins the budget to `budget` from the next epoch (as the timelock) and moves there. */
    async function budgetOf(sys: GovernedSystem, budget: bigint) {
      await pinBudget(sys.emission, await timelockSigner(sys), networkHelpers, budget);
    }

    it("defers what does not fit, counts it as demand, and rewards it in a later epoch", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const perItem = baseReward(CategoryId.taskCompletion); // quality 1.0x
      // 25% of the limit is reserved for other categories: a 20-token limit leaves 15 shared,
      // room for three task completions.
      await budgetOf(sys, perItem * 4n);
      const recipients = freshAddresses(5);
      const items = contributionsTo(recipients, 1n, CategoryId.taskCompletion, 10_000);
      const batch = await signBatch(sys.rewards, items, { signers: quorum(sys) });
      const epoch = await sys.emission.currentEpoch();
      const tx = sys.rewards.rewardBatch(batch.args, batch.signatures);
      await expect(tx).to.emit(sys.rewards, "ContributionDeferred").withArgs(4n, recipients[3], 0, 10_000, perItem);
      await expect(tx)
        .to.emit(sys.rewards, "BatchProcessed")
        .withArgs(await sys.rewards.hashRewardBatch(batch.args), batch.message.manifest, epoch, 3n, 2n, perItem * 3n);
      const state = await sys.emission.epochState(epoch);
      expect(state.minted).to.equal(perItem * 3n);
      expect(state.demand).to.equal(perItem * 5n);
      expect(await sys.rewards.isRewarded(3n)).to.equal(true);
      expect(await sys.rewards.isRewarded(4n)).to.equal(false);
      expect(await sys.token.balanceOf(recipients[4]!)).to.equal(0n);

      // The oracle re-sends the deferred items, newly signed, in the next epoch.
      await time.increase(TEST_REWARDS.epochLength);
      const retry = await signBatch(sys.rewards, items.slice(3), { signers: quorum(sys) });
      await sys.rewards.rewardBatch(retry.args, retry.signatures);
      expect(await sys.token.balanceOf(recipients[4]!)).to.equal(perItem);
    });

    it("refuses a replay of a batch that was wholly deferred, so demand cannot be inflated", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      await budgetOf(sys, 1n);
      const batch = await signBatch(sys.rewards, contributionsTo(freshAddresses(2), 1n, 0, 10_000), {
        signers: quorum(sys),
      });
      await sys.rewards.rewardBatch(batch.args, batch.signatures);
      const digest = await sys.rewards.hashRewardBatch(batch.args);
      await expect(sys.rewards.rewardBatch(batch.args, batch.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsBatchReplayed")
        .withArgs(digest);
      const state = await sys.emission.epochState(await sys.emission.currentEpoch());
      expect(state.demand).to.equal(2n * baseReward(0));
      expect(state.minted).to.equal(0n);
    });

    it("reverts the single path with the amount and what is available", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const limit = 10n * TOKEN;
      await budgetOf(sys, limit);
      const item = { id: 9n, contributor: getAddress(sys.eve.address), category: CategoryId.bugFix, quality: 10_000 };
      const att = await signAttestation(sys.rewards, item, quorum(sys));
      // Available to bug fixes: the limit less the other categories' reserves (15%).
      const available = limit - (limit * 1_500n) / BPS;
      expect(await sys.rewards.available(CategoryId.bugFix)).to.equal(available);
      await expect(sys.rewards.rewardContribution(item, att.signerSetVersion, att.deadline, att.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "EmissionControllerBudgetExceeded")
        .withArgs(baseReward(CategoryId.bugFix), available);
    });

    it("keeps reserved shares for their categories when a flood fills the rest", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const limit = 1_000n * TOKEN;
      await budgetOf(sys, limit);
      // Reserves (defaults): bugReport 5%, educationalContent 5%, bugFix 10%, optimisation 5%.
      const reserved = (limit * 2_500n) / BPS;
      expect(await sys.rewards.available(CategoryId.taskCompletion)).to.equal(limit - reserved);
      expect(await sys.rewards.available(CategoryId.bugFix)).to.equal(limit - reserved + (limit * 1_000n) / BPS);

      // A flood of task completions (5 CRED each) takes the shared 750 and no more.
      const flood = contributionsTo(freshAddresses(200, "flood"), 1n, CategoryId.taskCompletion, 10_000);
      const batch = await signBatch(sys.rewards, flood, { signers: quorum(sys) });
      await sys.rewards.rewardBatch(batch.args, batch.signatures);
      const state = await sys.emission.epochState(await sys.emission.currentEpoch());
      expect(state.minted).to.equal(limit - reserved);
      expect(await sys.rewards.available(CategoryId.taskCompletion)).to.equal(0n);

      // The bug fix reserve (100 CRED) is still there: one bug fix at 1.0x fits exactly.
      expect(await sys.rewards.available(CategoryId.bugFix)).to.equal((limit * 1_000n) / BPS);
      const fix = await signBatch(
        sys.rewards,
        contributionsTo([sys.carol.address], 1_000n, CategoryId.bugFix, 10_000),
        {
          signers: quorum(sys),
        },
      );
      await expect(sys.rewards.rewardBatch(fix.args, fix.signatures)).to.emit(sys.rewards, "ContributionRewarded");
      expect(await sys.rewards.available(CategoryId.bugFix)).to.equal(0n);
      // ...and a second one is deferred, while tutorials still have their own reserve.
      const more = await signBatch(
        sys.rewards,
        [
          { id: 1_001n, contributor: getAddress(sys.carol.address), category: CategoryId.bugFix, quality: 10_000 },
          {
            id: 1_002n,
            contributor: getAddress(sys.carol.address),
            category: CategoryId.educationalContent,
            quality: 10_000,
          },
        ],
        { signers: quorum(sys) },
      );
      const tx = sys.rewards.rewardBatch(more.args, more.signatures);
      await expect(tx)
        .to.emit(sys.rewards, "ContributionDeferred")
        .withArgs(1_001n, sys.carol.address, 6, 10_000, 100n * TOKEN);
      await expect(tx)
        .to.emit(sys.rewards, "ContributionRewarded")
        .withArgs(1_002n, sys.carol.address, 5, 10_000, 50n * TOKEN);
    });
  });

  describe("governance", function () {
    it("changes a category rate through a real proposal; the next batch uses it", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const newRate = 10n * TOKEN; // x2 of 5 CRED
      const proposal = new GovernorHelper(sys.governor, networkHelpers, {
        targets: [await sys.rewards.getAddress()],
        values: [0n],
        calldatas: [sys.rewards.interface.encodeFunctionData("setBaseReward", [CategoryId.taskCompletion, newRate])],
        description: "Double the task-completion reward to 10 CRED",
      });
      await proposal.passWith(sys.alice, [sys.alice, sys.bob]);
      expect((await sys.rewards.categoryConfig(CategoryId.taskCompletion)).baseReward).to.equal(newRate);
      const [a] = freshAddresses(1);
      const batch = await signBatch(sys.rewards, contributionsTo([a!], 1n, CategoryId.taskCompletion, 15_000), {
        signers: quorum(sys),
      });
      await sys.rewards.rewardBatch(batch.args, batch.signatures);
      expect(await sys.token.balanceOf(a!)).to.equal((newRate * 15_000n) / BPS);
    });

    it("rotates the signer set through a real proposal; old signatures stop counting", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const next = oracleAccounts(3, "rotated");
      const [a] = freshAddresses(1);
      const signedBefore = await signBatch(sys.rewards, contributionsTo([a!], 1n, 0, 10_000), {
        signers: quorum(sys),
        deadline: BigInt(await time.latest()) + 30n * 86_400n,
      });
      const proposal = new GovernorHelper(sys.governor, networkHelpers, {
        targets: [await sys.rewards.getAddress()],
        values: [0n],
        calldatas: [sys.rewards.interface.encodeFunctionData("setSigners", [next.map((o) => o.address), 2n])],
        description: "Rotate the oracle signers to the new 2-of-3 set",
      });
      const receipt = await proposal.passWith(sys.alice, [sys.alice]);
      const updated = receipt!.logs
        .map((log) => {
          try {
            return sys.rewards.interface.parseLog(log);
          } catch {
            return null;
          }
        })
        .find((parsed) => parsed?.name === "SignerSetUpdated");
      expect(updated?.args.version).to.equal(2n);

      // A batch signed for the old set, even by a quorum of it, no longer counts.
      await expect(sys.rewards.rewardBatch(signedBefore.args, signedBefore.signatures))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsStaleSignerSet")
        .withArgs(1n, 2n);
      // Old signers naming the new version are not signers any more.
      const oldKeysNewVersion = await signBatch(sys.rewards, contributionsTo([a!], 1n, 0, 10_000), {
        signers: quorum(sys),
      });
      await expect(
        sys.rewards.rewardBatch(oldKeysNewVersion.args, oldKeysNewVersion.signatures),
      ).to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsUnauthorizedSigner");
      // Two of the new set are enough.
      const fresh = await signBatch(sys.rewards, contributionsTo([a!], 1n, 0, 10_000), { signers: next.slice(1) });
      await sys.rewards.rewardBatch(fresh.args, fresh.signatures);
      expect(await sys.rewards.isRewarded(1n)).to.equal(true);
    });

    it("bounds base-reward changes: hard limits, x2 or /2, once per epoch", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const timelock = await timelockSigner(sys);
      const r = sys.rewards.connect(timelock);
      const base = baseReward(CategoryId.bugFix); // 100 CRED
      await expect(r.setBaseReward(CategoryId.bugFix, base * 2n + 1n))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsRateChangeTooLarge")
        .withArgs(base, base * 2n + 1n);
      await expect(r.setBaseReward(CategoryId.bugFix, base / 2n - 1n))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsRateChangeTooLarge")
        .withArgs(base, base / 2n - 1n);
      await expect(r.setBaseReward(CategoryId.bugFix, base * 2n))
        .to.emit(sys.rewards, "CategoryBaseRewardSet")
        .withArgs(CategoryId.bugFix, base, base * 2n);
      const epoch = await sys.emission.currentEpoch();
      await expect(r.setBaseReward(CategoryId.bugFix, base * 4n))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsRateChangedThisEpoch")
        .withArgs(CategoryId.bugFix, epoch);
      expect((await sys.rewards.categoryConfig(CategoryId.bugFix)).rateChangedThisEpoch).to.equal(true);
      await time.increase(TEST_REWARDS.epochLength);
      await r.setBaseReward(CategoryId.bugFix, base * 4n);
      // The hard limits (0.01 .. 10,000 CRED) hold whatever the factor allows.
      await expect(r.setBaseReward(CategoryId.taskCompletion, TOKEN / 1_000n))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsBaseRewardOutOfBounds")
        .withArgs(TOKEN / 1_000n, TOKEN / 100n, 10_000n * TOKEN);
      await expect(r.addCategory("spam", 20_000n * TOKEN, 0))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsBaseRewardOutOfBounds")
        .withArgs(20_000n * TOKEN, TOKEN / 100n, 10_000n * TOKEN);
    });

    it("adds a category; its reserve and a reserve change apply from the next epoch", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const timelock = await timelockSigner(sys);
      const epoch = await sys.emission.currentEpoch();
      await expect(sys.rewards.connect(timelock).addCategory("translation", 8n * TOKEN, 500))
        .to.emit(sys.rewards, "CategoryAdded")
        .withArgs(9, "translation", 8n * TOKEN, 0, epoch)
        .and.to.emit(sys.rewards, "CategoryReserveSet")
        .withArgs(9, 0, 500, epoch + 1n);
      expect(await sys.rewards.categoryCount()).to.equal(10n);
      let config = await sys.rewards.categoryConfig(9);
      expect([config.reserveBps, config.upcomingReserveBps]).to.deep.equal([0n, 500n]);
      await expect(sys.rewards.connect(timelock).setCategoryReserve(CategoryId.bugFix, 9_000))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsReserveTooHigh")
        .withArgs(2_500n - 1_000n + 500n + 9_000n);
      await time.increase(TEST_REWARDS.epochLength);
      config = await sys.rewards.categoryConfig(9);
      expect(config.reserveBps).to.equal(500n);
      const [a] = freshAddresses(1);
      const batch = await signBatch(sys.rewards, contributionsTo([a!], 1n, 9, 10_000), { signers: quorum(sys) });
      await sys.rewards.rewardBatch(batch.args, batch.signatures);
      expect(await sys.token.balanceOf(a!)).to.equal(8n * TOKEN);
    });

    it("refuses every privileged function to an outsider", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const r = sys.rewards.connect(sys.outsider);
      const calls = [
        () => r.setSigners([sys.outsider.address], 1n),
        () => r.addCategory("x", TOKEN, 0),
        () => r.setBaseReward(0, 6n * TOKEN),
        () => r.setCategoryEnabled(0, false),
        () => r.setCategoryReserve(0, 100),
        () => r.setMaxQuality(30_000),
        () => r.setGuardian(sys.outsider.address),
        () => r.unpause(),
        () => r.transferOwnership(sys.outsider.address),
        () => r.renounceOwnership(),
      ];
      for (const call of calls) {
        await expect(call())
          .to.be.revertedWithCustomError(sys.rewards, "OwnableUnauthorizedAccount")
          .withArgs(sys.outsider.address);
      }
      await expect(r.pause())
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsUnauthorizedPauser")
        .withArgs(sys.outsider.address);
    });

    it("lets the guardian pause and nothing else; only the timelock unpauses", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const g = sys.rewards.connect(sys.guardian);
      await expect(g.pause()).to.emit(sys.rewards, "Paused").withArgs(sys.guardian.address);
      await expect(g.unpause())
        .to.be.revertedWithCustomError(sys.rewards, "OwnableUnauthorizedAccount")
        .withArgs(sys.guardian.address);
      await expect(g.setGuardian(sys.outsider.address)).to.be.revertedWithCustomError(
        sys.rewards,
        "OwnableUnauthorizedAccount",
      );
      await expect(g.setSigners([sys.guardian.address], 1n)).to.be.revertedWithCustomError(
        sys.rewards,
        "OwnableUnauthorizedAccount",
      );
      const timelock = await timelockSigner(sys);
      await expect(sys.rewards.connect(timelock).unpause()).to.emit(sys.rewards, "Unpaused");
      await expect(sys.rewards.connect(timelock).renounceOwnership()).to.be.revertedWithCustomError(
        sys.rewards,
        "ContributionRewardsRenounceDisabled",
      );
      // Governance replaces the guardian; the old one loses the power to pause.
      await expect(sys.rewards.connect(timelock).setGuardian(sys.outsider.address))
        .to.emit(sys.rewards, "GuardianSet")
        .withArgs(sys.guardian.address, sys.outsider.address);
      await expect(g.pause()).to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsUnauthorizedPauser");
    });

    it("bounds the maximum quality by the hard limit", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const timelock = await timelockSigner(sys);
      await expect(sys.rewards.connect(timelock).setMaxQuality(50_001))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsMaxQualityOutOfBounds")
        .withArgs(50_001n, 50_000n);
      await expect(sys.rewards.connect(timelock).setMaxQuality(0)).to.be.revertedWithCustomError(
        sys.rewards,
        "ContributionRewardsMaxQualityOutOfBounds",
      );
      await expect(sys.rewards.connect(timelock).setMaxQuality(30_000))
        .to.emit(sys.rewards, "MaxQualitySet")
        .withArgs(20_000, 30_000);
      expect(await sys.rewards.quote(CategoryId.bugFix, 30_000)).to.equal(300n * TOKEN);
    });
  });

  describe("views", function () {
    it("reports the signer set, categories and quotes", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const [signers, threshold, version] = await sys.rewards.signerSet();
      expect(signers).to.deep.equal(sys.oracles.map((o) => o.address));
      expect([threshold, version]).to.deep.equal([3n, 1n]);
      expect(await sys.rewards.categoryCount()).to.equal(BigInt(DEFAULT_CATEGORIES.length));
      for (const category of DEFAULT_CATEGORIES) {
        const config = await sys.rewards.categoryConfig(category.id);
        expect(config.baseReward).to.equal(category.baseReward);
        expect(config.enabled).to.equal(true);
        expect(config.reserveBps).to.equal(BigInt(category.reserveBps));
        expect(await sys.rewards.quote(category.id, 15_000)).to.equal(expectedAmount(category.id, 15_000));
      }
      await expect(sys.rewards.categoryConfig(99))
        .to.be.revertedWithCustomError(sys.rewards, "ContributionRewardsUnknownCategory")
        .withArgs(99);
      expect(await sys.rewards.maxQualityBps()).to.equal(20_000n);
      expect(await sys.rewards.guardian()).to.equal(sys.guardian.address);
      expect(await sys.rewards.token()).to.equal(await sys.token.getAddress());
    });
  });
});
