import { expect } from "chai";
import { MaxUint256, ZeroAddress } from "ethers";
import { network } from "hardhat";

import { DEFAULT_POLICY } from "../../scripts/lib/emission-sim.js";
import { fundVaultThroughGovernance, signPermit } from "../helpers/credits.js";
import { deployGovernedSystem, TEST_CREDITS, TEST_REWARDS, TOKEN, USD } from "../helpers/fixtures.js";
import type { GovernedSystem } from "../helpers/fixtures.js";
import { GovernorHelper } from "../helpers/governance.js";
import { impersonate } from "../helpers/impersonate.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const RATE = TEST_CREDITS.redemptionRate; // 0.01 tUSD per CRED
const CAP = TEST_CREDITS.epochRedemptionCap;

/** amount × rate / 1e18, rounded down: the payout the vault promises. */
function payoutOf(amount: bigint, rate = RATE): bigint {
  return (amount * rate) / TOKEN;
}

async function timelockSigner(sys: GovernedSystem) {
  return impersonate(connection, await sys.timelock.getAddress());
}

/**
 * The fixture with reserves minted straight into the vault (the governance path is tested on
 * its own below) and dave (1M CRED) approving the vault for everything.
 */
async function fundedVault(sys: GovernedSystem, reserves = 10_000n * USD) {
  await (await sys.stablecoin.mint(await sys.vault.getAddress(), reserves)).wait();
  await (await sys.token.connect(sys.dave).approve(await sys.vault.getAddress(), MaxUint256)).wait();
  return sys;
}

describe("RedemptionVault", function () {
  describe("redeeming", function () {
    it("is funded by the treasury through a real proposal, then burns credits and pays amount × rate", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const vault = await sys.vault.getAddress();
      await fundVaultThroughGovernance(sys, networkHelpers, 5_000n * USD);
      expect(await sys.vault.reserves()).to.equal(5_000n * USD);

      await sys.token.connect(sys.dave).approve(vault, MaxUint256);
      const amount = 20_000n * TOKEN;
      const payout = payoutOf(amount); // 200 tUSD
      expect(payout).to.equal(200n * USD);
      expect(await sys.vault.quote(amount)).to.equal(payout);
      const supply = await sys.token.totalSupply();
      const epoch = await sys.emission.currentEpoch();
      await expect(sys.vault.connect(sys.dave).redeem(amount, payout))
        .to.emit(sys.vault, "Redeemed")
        .withArgs(sys.dave.address, epoch, amount, payout, RATE)
        .and.to.emit(sys.emission, "Burned")
        .withArgs(epoch, vault, amount)
        .and.to.emit(sys.stablecoin, "Transfer")
        .withArgs(vault, sys.dave.address, payout);
      expect(await sys.token.totalSupply()).to.equal(supply - amount);
      expect(await sys.token.balanceOf(vault)).to.equal(0n);
      expect(await sys.stablecoin.balanceOf(sys.dave.address)).to.equal(payout);
      expect(await sys.vault.reserves()).to.equal(5_000n * USD - payout);
      expect((await sys.emission.epochState(epoch)).burned).to.equal(amount);
      expect(await sys.vault.redemptionAllowance()).to.deep.equal([epoch, CAP, amount]);
    });

    it("rounds the payout down, in the protocol's favour (6-decimal stablecoin, 18-decimal credits)", async function () {
      const sys = await fundedVault(await networkHelpers.loadFixture(deployGovernedSystem));
      // 1e14 wei of CRED is worth exactly 1 unit (1e-6 tUSD); one wei less is worth nothing.
      const unit = TOKEN / RATE;
      const amount = 3n * unit + unit - 1n; // worth 3.999... units
      await expect(sys.vault.connect(sys.dave).redeem(amount, 0n))
        .to.emit(sys.vault, "Redeemed")
        .withArgs(sys.dave.address, await sys.emission.currentEpoch(), amount, 3n, RATE);
    });

    it("rejects an amount worth nothing at the rate", async function () {
      const sys = await fundedVault(await networkHelpers.loadFixture(deployGovernedSystem));
      const dust = TOKEN / RATE - 1n;
      await expect(sys.vault.connect(sys.dave).redeem(dust, 0n))
        .to.be.revertedWithCustomError(sys.vault, "RedemptionVaultZeroPayout")
        .withArgs(dust, RATE);
    });

    it("rejects a zero amount", async function () {
      const sys = await fundedVault(await networkHelpers.loadFixture(deployGovernedSystem));
      await expect(sys.vault.connect(sys.dave).redeem(0n, 0n)).to.be.revertedWithCustomError(
        sys.vault,
        "RedemptionVaultZeroAmount",
      );
    });

    it("rejects a redemption over the epoch cap with the numbers, and allows it again next epoch", async function () {
      const sys = await fundedVault(await networkHelpers.loadFixture(deployGovernedSystem));
      const epoch = await sys.emission.currentEpoch();
      await sys.vault.connect(sys.dave).redeem(CAP - 10n * TOKEN, 0n);
      await expect(sys.vault.connect(sys.dave).redeem(10n * TOKEN + 1n, 0n))
        .to.be.revertedWithCustomError(sys.vault, "RedemptionVaultEpochCapExceeded")
        .withArgs(epoch, 10n * TOKEN + 1n, 10n * TOKEN);
      await sys.vault.connect(sys.dave).redeem(10n * TOKEN, 0n); // exactly the rest
      await expect(sys.vault.connect(sys.dave).redeem(TOKEN, 0n))
        .to.be.revertedWithCustomError(sys.vault, "RedemptionVaultEpochCapExceeded")
        .withArgs(epoch, TOKEN, 0n);

      await time.increase(TEST_REWARDS.epochLength);
      await expect(sys.vault.connect(sys.dave).redeem(TOKEN, 0n))
        .to.emit(sys.vault, "Redeemed")
        .withArgs(sys.dave.address, epoch + 1n, TOKEN, payoutOf(TOKEN), RATE);
      expect(await sys.vault.redemptionAllowance()).to.deep.equal([epoch + 1n, CAP, TOKEN]);
    });

    it("rejects a redemption from an empty vault with the numbers", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      await sys.token.connect(sys.dave).approve(await sys.vault.getAddress(), MaxUint256);
      await expect(sys.vault.connect(sys.dave).redeem(1_000n * TOKEN, 0n))
        .to.be.revertedWithCustomError(sys.vault, "RedemptionVaultInsufficientReserves")
        .withArgs(10n * USD, 0n);
    });

    it("rejects a payout larger than the reserves left", async function () {
      const sys = await fundedVault(await networkHelpers.loadFixture(deployGovernedSystem), 5n * USD);
      await expect(sys.vault.connect(sys.dave).redeem(600n * TOKEN, 0n))
        .to.be.revertedWithCustomError(sys.vault, "RedemptionVaultInsufficientReserves")
        .withArgs(6n * USD, 5n * USD);
      await sys.vault.connect(sys.dave).redeem(500n * TOKEN, 0n); // exactly the reserves
      expect(await sys.vault.reserves()).to.equal(0n);
    });

    it("rejects a payout below the caller's minimum", async function () {
      const sys = await fundedVault(await networkHelpers.loadFixture(deployGovernedSystem));
      await expect(sys.vault.connect(sys.dave).redeem(100n * TOKEN, USD + 1n))
        .to.be.revertedWithCustomError(sys.vault, "RedemptionVaultPayoutBelowMinimum")
        .withArgs(USD, USD + 1n);
    });

    it("fails without an allowance", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      await sys.stablecoin.mint(await sys.vault.getAddress(), 100n * USD);
      await expect(sys.vault.connect(sys.eve).redeem(TOKEN, 0n)).to.be.revertedWithCustomError(
        sys.token,
        "ERC20InsufficientAllowance",
      );
    });

    it("redeems in one transaction with a permit", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      await sys.stablecoin.mint(await sys.vault.getAddress(), 100n * USD);
      const deadline = BigInt(await time.latest()) + 600n;
      const permit = await signPermit(sys.token, sys.eve, await sys.vault.getAddress(), 1_000n * TOKEN, deadline);
      await expect(sys.vault.connect(sys.eve).redeemWithPermit(1_000n * TOKEN, 10n * USD, permit))
        .to.emit(sys.vault, "Redeemed")
        .withArgs(sys.eve.address, await sys.emission.currentEpoch(), 1_000n * TOKEN, 10n * USD, RATE);
    });
  });

  describe("governance", function () {
    it("changes the rate and the cap through a real proposal; the next redemption uses them", async function () {
      const sys = await fundedVault(await networkHelpers.loadFixture(deployGovernedSystem));
      const vault = await sys.vault.getAddress();
      const newRate = 25_000n; // 0.025 tUSD per CRED
      const proposal = new GovernorHelper(sys.governor, networkHelpers, {
        targets: [vault, vault],
        values: [0n, 0n],
        calldatas: [
          sys.vault.interface.encodeFunctionData("setRate", [newRate]),
          sys.vault.interface.encodeFunctionData("setEpochCap", [50_000n * TOKEN]),
        ],
        description: "Redeem at 0.025 tUSD per CRED, at most 50,000 CRED a week",
      });
      await proposal.passWith(sys.alice, [sys.alice]);
      expect(await sys.vault.rate()).to.equal(newRate);
      expect(await sys.vault.epochCap()).to.equal(50_000n * TOKEN);
      await expect(sys.vault.connect(sys.dave).redeem(1_000n * TOKEN, 0n))
        .to.emit(sys.vault, "Redeemed")
        .withArgs(sys.dave.address, await sys.emission.currentEpoch(), 1_000n * TOKEN, 25n * USD, newRate);
    });

    it("changes the rate only through the timelock: not the guardian, not a holder", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      for (const caller of [sys.guardian, sys.alice, sys.deployer]) {
        await expect(sys.vault.connect(caller).setRate(1n))
          .to.be.revertedWithCustomError(sys.vault, "OwnableUnauthorizedAccount")
          .withArgs(caller.address);
      }
      await expect(sys.vault.connect(await timelockSigner(sys)).setRate(0n))
        .to.emit(sys.vault, "RateSet")
        .withArgs(RATE, 0n);
    });

    it("stops redemptions at a zero rate", async function () {
      const sys = await fundedVault(await networkHelpers.loadFixture(deployGovernedSystem));
      await sys.vault.connect(await timelockSigner(sys)).setRate(0n);
      await expect(sys.vault.connect(sys.dave).redeem(TOKEN, 0n))
        .to.be.revertedWithCustomError(sys.vault, "RedemptionVaultZeroPayout")
        .withArgs(TOKEN, 0n);
    });

    it("applies a lowered cap at once, to what is left of the current epoch", async function () {
      const sys = await fundedVault(await networkHelpers.loadFixture(deployGovernedSystem));
      await sys.vault.connect(sys.dave).redeem(1_000n * TOKEN, 0n);
      await expect(sys.vault.connect(await timelockSigner(sys)).setEpochCap(500n * TOKEN))
        .to.emit(sys.vault, "EpochCapSet")
        .withArgs(CAP, 500n * TOKEN);
      await expect(sys.vault.connect(sys.dave).redeem(TOKEN, 0n))
        .to.be.revertedWithCustomError(sys.vault, "RedemptionVaultEpochCapExceeded")
        .withArgs(await sys.emission.currentEpoch(), TOKEN, 0n);
    });

    it("lets only the owner take reserves back, never to the zero address", async function () {
      const sys = await fundedVault(await networkHelpers.loadFixture(deployGovernedSystem), 100n * USD);
      const timelock = await timelockSigner(sys);
      await expect(sys.vault.connect(timelock).withdrawReserves(ZeroAddress, USD))
        .to.be.revertedWithCustomError(sys.vault, "RedemptionVaultInvalidRecipient")
        .withArgs(ZeroAddress);
      await expect(sys.vault.connect(timelock).withdrawReserves(timelock.address, 40n * USD))
        .to.emit(sys.vault, "ReservesWithdrawn")
        .withArgs(timelock.address, 40n * USD);
      expect(await sys.vault.reserves()).to.equal(60n * USD);
      expect(await sys.stablecoin.balanceOf(timelock.address)).to.equal(40n * USD);
    });

    it("refuses every privileged function to an outsider", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const v = sys.vault.connect(sys.outsider);
      const calls = [
        () => v.setRate(1n),
        () => v.setEpochCap(1n),
        () => v.withdrawReserves(sys.outsider.address, 1n),
        () => v.setGuardian(sys.outsider.address),
        () => v.unpause(),
        () => v.transferOwnership(sys.outsider.address),
        () => v.renounceOwnership(),
      ];
      for (const call of calls) {
        await expect(call())
          .to.be.revertedWithCustomError(sys.vault, "OwnableUnauthorizedAccount")
          .withArgs(sys.outsider.address);
      }
      await expect(v.pause())
        .to.be.revertedWithCustomError(sys.vault, "RedemptionVaultUnauthorizedPauser")
        .withArgs(sys.outsider.address);
    });

    it("lets the guardian pause and nothing else; paused, redemptions revert; only the timelock unpauses", async function () {
      const sys = await fundedVault(await networkHelpers.loadFixture(deployGovernedSystem));
      const g = sys.vault.connect(sys.guardian);
      await expect(g.pause()).to.emit(sys.vault, "Paused").withArgs(sys.guardian.address);
      await expect(sys.vault.connect(sys.dave).redeem(TOKEN, 0n)).to.be.revertedWithCustomError(
        sys.vault,
        "EnforcedPause",
      );
      const deadline = BigInt(await time.latest()) + 600n;
      const permit = await signPermit(sys.token, sys.dave, await sys.vault.getAddress(), TOKEN, deadline);
      await expect(sys.vault.connect(sys.dave).redeemWithPermit(TOKEN, 0n, permit)).to.be.revertedWithCustomError(
        sys.vault,
        "EnforcedPause",
      );
      for (const call of [() => g.unpause(), () => g.setRate(1n), () => g.withdrawReserves(g, 1n)]) {
        await expect(call())
          .to.be.revertedWithCustomError(sys.vault, "OwnableUnauthorizedAccount")
          .withArgs(sys.guardian.address);
      }
      const timelock = await timelockSigner(sys);
      await expect(sys.vault.connect(timelock).unpause()).to.emit(sys.vault, "Unpaused");
      await expect(sys.vault.connect(sys.dave).redeem(TOKEN, 0n)).to.emit(sys.vault, "Redeemed");
      await expect(sys.vault.connect(timelock).setGuardian(ZeroAddress))
        .to.emit(sys.vault, "GuardianSet")
        .withArgs(sys.guardian.address, ZeroAddress);
      await expect(g.pause()).to.be.revertedWithCustomError(sys.vault, "RedemptionVaultUnauthorizedPauser");
    });

    it("cannot renounce ownership, even by the timelock", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      await expect(sys.vault.connect(await timelockSigner(sys)).renounceOwnership()).to.be.revertedWithCustomError(
        sys.vault,
        "RedemptionVaultRenounceDisabled",
      );
    });

    it("rejects a constructor with the credit token as the stablecoin, a zero stablecoin, or another token's controller", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const token = await sys.token.getAddress();
      const emission = await sys.emission.getAddress();
      const stablecoin = await sys.stablecoin.getAddress();
      const timelock = await sys.timelock.getAddress();
      const factory = await ethers.getContractFactory("RedemptionVault");
      const otherEmission = await ethers.deployContract("EmissionController", [
        stablecoin,
        timelock,
        DEFAULT_POLICY,
        TOKEN,
      ]);
      for (const args of [
        [token, emission, token, timelock, ZeroAddress, RATE, CAP],
        [token, emission, ZeroAddress, timelock, ZeroAddress, RATE, CAP],
        [token, otherEmission, stablecoin, timelock, ZeroAddress, RATE, CAP],
      ]) {
        await expect(ethers.deployContract("RedemptionVault", args)).to.be.revertedWithCustomError(
          factory,
          "RedemptionVaultInvalidConfig",
        );
      }
    });
  });
});
