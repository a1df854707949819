import { expect } from "chai";
import { MaxUint256, ZeroAddress, ZeroHash } from "ethers";
import { network } from "hardhat";
import { DEFAULT_POLICY } from "../../scripts/lib/emission-sim.js";
import type { Address, Hex } from "viem";
import { getAddress, hashTypedData } from "viem";

import { buyPremiumTypes, creditSpenderDomain, spendTypes } from "../../src/sdk/eip712.js";
import { DEFAULT_TIERS, PREMIUM_PERIOD, TierId } from "../../src/sdk/tiers.js";
import { NO_PERMIT, signBuyPremium, signPermit, signSpend, usageRef } from "../helpers/credits.js";
import type { PremiumMessage, SpendMessage } from "../helpers/credits.js";
import { deployGovernedSystem, TEST_CREDITS, TOKEN } from "../helpers/fixtures.js";
import type { GovernedSystem } from "../helpers/fixtures.js";
import { GovernorHelper } from "../helpers/governance.js";
import { impersonate } from "../helpers/impersonate.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const BPS = 10_000n;
const PLUS = TierId.plus;
const PRO = TierId.pro;
const PLUS_PRICE = DEFAULT_TIERS[0]!.price;
const PRO_PRICE = DEFAULT_TIERS[1]!.price;

async function timelockSigner(sys: GovernedSystem) {
  return impersonate(connection, await sys.timelock.getAddress());
}

/** The fixture, with eve (a plain holder of 50,000 CRED) approving the spender for everything. */
async function withApproval(sys: GovernedSystem) {
  await (await sys.token.connect(sys.eve).approve(await sys.spender.getAddress(), MaxUint256)).wait();
  return sys;
}

async function now(): Promise<bigint> {
  return BigInt(await time.latest());
}

/** The block timestamp of a mined transaction. */
async function minedAt(tx: { wait(): Promise<{ blockNumber: number } | null> }): Promise<bigint> {
  const receipt = await tx.wait();
  const block = await ethers.provider.getBlock(receipt!.blockNumber);
  return BigInt(block!.timestamp);
}

async function spendMessage(sys: GovernedSystem, overrides: Partial<SpendMessage> = {}): Promise<SpendMessage> {
  return {
    payer: sys.eve.address,
    amount: 200n * TOKEN,
    usageRef: usageRef("gasless"),
    nonce: await sys.spender.nonces(sys.eve.address),
    deadline: (await now()) + 3600n,
    ...overrides,
  };
}

async function premiumMessage(sys: GovernedSystem, overrides: Partial<PremiumMessage> = {}): Promise<PremiumMessage> {
  return {
    buyer: sys.eve.address,
    tier: PLUS,
    periods: 2n,
    maxCost: 2n * PLUS_PRICE,
    nonce: await sys.spender.nonces(sys.eve.address),
    deadline: (await now()) + 3600n,
    ...overrides,
  };
}

describe("CreditSpender", function () {
  describe("pay per use", function () {
    it("burns the governed share through the EmissionController and sends the rest to the treasury", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const amount = 1_000n * TOKEN;
      const burned = (amount * TEST_CREDITS.burnShareBps) / BPS;
      const ref = usageRef("request-1");
      const treasury = await sys.timelock.getAddress();
      const spenderAddress = await sys.spender.getAddress();
      const supplyBefore = await sys.token.totalSupply();
      const treasuryBefore = await sys.token.balanceOf(treasury);
      const epoch = await sys.emission.currentEpoch();

      await expect(sys.spender.connect(sys.eve).spend(amount, ref))
        .to.emit(sys.spender, "Spent")
        .withArgs(sys.eve.address, ref, amount, burned, amount - burned)
        .and.to.emit(sys.emission, "Burned")
        .withArgs(epoch, spenderAddress, burned)
        .and.to.emit(sys.token, "Transfer")
        .withArgs(sys.eve.address, spenderAddress, amount)
        .and.to.emit(sys.token, "Transfer")
        .withArgs(spenderAddress, ZeroAddress, burned)
        .and.to.emit(sys.token, "Transfer")
        .withArgs(spenderAddress, treasury, amount - burned);

      expect(await sys.token.totalSupply()).to.equal(supplyBefore - burned);
      expect(await sys.token.balanceOf(treasury)).to.equal(treasuryBefore + amount - burned);
      expect(await sys.token.balanceOf(spenderAddress)).to.equal(0n);
      expect((await sys.emission.epochState(epoch)).burned).to.equal(burned);
    });

    it("rounds the burn down and gives the remainder to the treasury", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      // 3 wei at 50%: 1 burned, 2 to the treasury.
      await expect(sys.spender.connect(sys.eve).spend(3n, usageRef("dust")))
        .to.emit(sys.spender, "Spent")
        .withArgs(sys.eve.address, usageRef("dust"), 3n, 1n, 2n);
    });

    it("burns everything at 100% and nothing at 0%", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const timelock = await timelockSigner(sys);
      await expect(sys.spender.connect(timelock).setBurnShare(BPS))
        .to.emit(sys.spender, "BurnShareSet")
        .withArgs(TEST_CREDITS.burnShareBps, BPS);
      await expect(sys.spender.connect(sys.eve).spend(10n * TOKEN, usageRef("all")))
        .to.emit(sys.spender, "Spent")
        .withArgs(sys.eve.address, usageRef("all"), 10n * TOKEN, 10n * TOKEN, 0n);

      await sys.spender.connect(timelock).setBurnShare(0n);
      const supply = await sys.token.totalSupply();
      await expect(sys.spender.connect(sys.eve).spend(10n * TOKEN, usageRef("none")))
        .to.emit(sys.spender, "Spent")
        .withArgs(sys.eve.address, usageRef("none"), 10n * TOKEN, 0n, 10n * TOKEN)
        .and.not.to.emit(sys.emission, "Burned");
      expect(await sys.token.totalSupply()).to.equal(supply);
    });

    it("records each payment of the same usage reference as its own receipt", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const ref = usageRef("session-7");
      await sys.spender.connect(sys.eve).spend(5n * TOKEN, ref);
      await sys.spender.connect(sys.eve).spend(7n * TOKEN, ref);
      const receipts = await sys.spender.queryFilter(sys.spender.filters.Spent(undefined, ref));
      expect(receipts.map((r) => r.args.amount)).to.deep.equal([5n * TOKEN, 7n * TOKEN]);
    });

    it("rejects a zero amount", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      await expect(sys.spender.connect(sys.eve).spend(0n, usageRef("zero"))).to.be.revertedWithCustomError(
        sys.spender,
        "CreditSpenderZeroAmount",
      );
    });

    it("rejects a zero usage reference", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      await expect(sys.spender.connect(sys.eve).spend(TOKEN, ZeroHash)).to.be.revertedWithCustomError(
        sys.spender,
        "CreditSpenderInvalidUsageRef",
      );
    });

    it("fails without an allowance, and for more than the balance", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const spenderAddress = await sys.spender.getAddress();
      await expect(sys.spender.connect(sys.eve).spend(TOKEN, usageRef("no-allowance")))
        .to.be.revertedWithCustomError(sys.token, "ERC20InsufficientAllowance")
        .withArgs(spenderAddress, 0n, TOKEN);
      await withApproval(sys);
      const balance = await sys.token.balanceOf(sys.eve.address);
      await expect(sys.spender.connect(sys.eve).spend(balance + 1n, usageRef("too-much")))
        .to.be.revertedWithCustomError(sys.token, "ERC20InsufficientBalance")
        .withArgs(sys.eve.address, balance, balance + 1n);
    });

    it("pays in one transaction with a permit, even when the permit was front-run", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const spenderAddress = await sys.spender.getAddress();
      const amount = 40n * TOKEN;
      const permit = await signPermit(sys.token, sys.eve, spenderAddress, amount, (await now()) + 600n);
      await expect(sys.spender.connect(sys.eve).spendWithPermit(amount, usageRef("permit"), permit))
        .to.emit(sys.spender, "Spent")
        .withArgs(sys.eve.address, usageRef("permit"), amount, amount / 2n, amount / 2n);
      expect(await sys.token.allowance(sys.eve.address, spenderAddress)).to.equal(0n);

      // Someone copies the next permit from the mempool and submits it to the token first.
      const next = await signPermit(sys.token, sys.eve, spenderAddress, amount, (await now()) + 600n);
      await sys.token
        .connect(sys.outsider)
        .permit(sys.eve.address, spenderAddress, next.value, next.deadline, next.v, next.r, next.s);
      await expect(sys.spender.connect(sys.eve).spendWithPermit(amount, usageRef("front-run"), next)).to.emit(
        sys.spender,
        "Spent",
      );
    });
  });

  describe("gasless payments (EIP-712 Spend)", function () {
    it("lets a relayer submit the payer's authorisation with a permit; the payer sends nothing", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const spenderAddress = await sys.spender.getAddress();
      const message = await spendMessage(sys);
      const signature = await signSpend(sys.spender, sys.eve, message);
      const permit = await signPermit(sys.token, sys.eve, spenderAddress, message.amount, message.deadline);
      const ethBefore = await ethers.provider.getBalance(sys.eve.address);

      await expect(sys.spender.connect(sys.outsider).spendBySig(message, signature, permit))
        .to.emit(sys.spender, "AuthorizationUsed")
        .withArgs(sys.eve.address, 0n, sys.outsider.address)
        .and.to.emit(sys.spender, "Spent")
        .withArgs(sys.eve.address, message.usageRef, message.amount, message.amount / 2n, message.amount / 2n);
      expect(await ethers.provider.getBalance(sys.eve.address)).to.equal(ethBefore);
      expect(await sys.spender.nonces(sys.eve.address)).to.equal(1n);
    });

    it("uses a prior allowance when the permit is left out (zero deadline)", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const message = await spendMessage(sys);
      const signature = await signSpend(sys.spender, sys.eve, message);
      await expect(sys.spender.connect(sys.outsider).spendBySig(message, signature, NO_PERMIT)).to.emit(
        sys.spender,
        "Spent",
      );
    });

    it("rejects a replayed authorisation", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const message = await spendMessage(sys);
      const signature = await signSpend(sys.spender, sys.eve, message);
      await sys.spender.connect(sys.outsider).spendBySig(message, signature, NO_PERMIT);
      await expect(sys.spender.connect(sys.outsider).spendBySig(message, signature, NO_PERMIT))
        .to.be.revertedWithCustomError(sys.spender, "InvalidAccountNonce")
        .withArgs(sys.eve.address, 1n);
    });

    it("rejects an authorisation signed for a nonce not yet reached", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const message = await spendMessage(sys, { nonce: 5n });
      const signature = await signSpend(sys.spender, sys.eve, message);
      await expect(sys.spender.connect(sys.outsider).spendBySig(message, signature, NO_PERMIT))
        .to.be.revertedWithCustomError(sys.spender, "InvalidAccountNonce")
        .withArgs(sys.eve.address, 0n);
    });

    it("rejects an expired authorisation", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const message = await spendMessage(sys, { deadline: (await now()) + 10n });
      const signature = await signSpend(sys.spender, sys.eve, message);
      await time.setNextBlockTimestamp(message.deadline + 1n);
      await expect(sys.spender.connect(sys.outsider).spendBySig(message, signature, NO_PERMIT))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderExpiredAuthorization")
        .withArgs(message.deadline, message.deadline + 1n);
    });

    it("rejects a wrong signer", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const message = await spendMessage(sys);
      const byBob = await signSpend(sys.spender, sys.bob, message); // bob signs eve's payment
      await expect(sys.spender.connect(sys.outsider).spendBySig(message, byBob, NO_PERMIT))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderInvalidSignature")
        .withArgs(sys.eve.address);
    });

    it("rejects an authorisation altered after signing", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const message = await spendMessage(sys);
      const signature = await signSpend(sys.spender, sys.eve, message);
      for (const altered of [
        { ...message, amount: message.amount * 10n },
        { ...message, usageRef: usageRef("another request") },
        { ...message, deadline: message.deadline + 1n },
      ]) {
        await expect(sys.spender.connect(sys.outsider).spendBySig(altered, signature, NO_PERMIT))
          .to.be.revertedWithCustomError(sys.spender, "CreditSpenderInvalidSignature")
          .withArgs(sys.eve.address);
      }
    });

    it("rejects an authorisation signed for another chain or another contract", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const message = await spendMessage(sys);
      for (const overrides of [{ chainId: 1n }, { verifyingContract: await sys.rewards.getAddress() }]) {
        const signature = await signSpend(sys.spender, sys.eve, message, overrides);
        await expect(sys.spender.connect(sys.outsider).spendBySig(message, signature, NO_PERMIT))
          .to.be.revertedWithCustomError(sys.spender, "CreditSpenderInvalidSignature")
          .withArgs(sys.eve.address);
      }
    });

    it("hashes both authorisations as the SDK's shared EIP-712 types do", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const { chainId } = await ethers.provider.getNetwork();
      const domain = creditSpenderDomain({ chainId, spender: getAddress(await sys.spender.getAddress()) });
      const spend = await spendMessage(sys);
      expect(await sys.spender.hashSpend(spend)).to.equal(
        hashTypedData({
          domain,
          types: spendTypes,
          primaryType: "Spend",
          message: { ...spend, payer: spend.payer as Address, usageRef: spend.usageRef as Hex },
        }),
      );
      const premium = await premiumMessage(sys);
      expect(await sys.spender.hashBuyPremium(premium)).to.equal(
        hashTypedData({
          domain,
          types: buyPremiumTypes,
          primaryType: "BuyPremium",
          message: { ...premium, buyer: premium.buyer as Address },
        }),
      );
    });
  });

  describe("premium tiers", function () {
    it("buys a tier: price × periods, split like a payment, active for periods × 30 days", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const cost = 3n * PLUS_PRICE;
      const start = (await now()) + 1n;
      await time.setNextBlockTimestamp(start);
      const expiry = start + 3n * PREMIUM_PERIOD;
      await expect(sys.spender.connect(sys.eve).buyPremium(PLUS, 3n, cost))
        .to.emit(sys.spender, "PremiumPurchased")
        .withArgs(sys.eve.address, PLUS, 3n, cost, cost / 2n, expiry)
        .and.to.emit(sys.emission, "Burned");
      const premium = await sys.spender.premiumOf(sys.eve.address);
      expect([premium.tier, premium.rank, premium.expiry, premium.rate, premium.active]).to.deep.equal([
        BigInt(PLUS),
        10n,
        expiry,
        PLUS_PRICE,
        true,
      ]);
      await time.increaseTo(expiry);
      expect((await sys.spender.premiumOf(sys.eve.address)).active).to.equal(false);
    });

    it("stacks the same tier from the current expiry, and from now once it has expired", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const first = await minedAt(await sys.spender.connect(sys.eve).buyPremium(PLUS, 1n, PLUS_PRICE));
      await time.increase(10n * 86_400n);
      await expect(sys.spender.connect(sys.eve).buyPremium(PLUS, 2n, 2n * PLUS_PRICE))
        .to.emit(sys.spender, "PremiumPurchased")
        .withArgs(sys.eve.address, PLUS, 2n, 2n * PLUS_PRICE, PLUS_PRICE, first + 3n * PREMIUM_PERIOD);

      await time.increaseTo(first + 3n * PREMIUM_PERIOD + 100n);
      const restart = await minedAt(await sys.spender.connect(sys.eve).buyPremium(PLUS, 1n, PLUS_PRICE));
      expect((await sys.spender.premiumOf(sys.eve.address)).expiry).to.equal(restart + PREMIUM_PERIOD);
    });

    it("upgrades: the remaining time, at what it was paid, becomes time on the higher tier", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const bought = await minedAt(await sys.spender.connect(sys.eve).buyPremium(PLUS, 2n, 2n * PLUS_PRICE));
      const upgradeAt = bought + 15n * 86_400n;
      await time.setNextBlockTimestamp(upgradeAt);
      const remaining = bought + 2n * PREMIUM_PERIOD - upgradeAt;
      const credited = (remaining * PLUS_PRICE) / PRO_PRICE; // a quarter of the time: Pro costs 4x
      const expiry = upgradeAt + credited + PREMIUM_PERIOD;
      await expect(sys.spender.connect(sys.eve).buyPremium(PRO, 1n, PRO_PRICE))
        .to.emit(sys.spender, "PremiumConverted")
        .withArgs(sys.eve.address, PLUS, PRO, remaining, credited)
        .and.to.emit(sys.spender, "PremiumPurchased")
        .withArgs(sys.eve.address, PRO, 1n, PRO_PRICE, PRO_PRICE / 2n, expiry);
      const premium = await sys.spender.premiumOf(sys.eve.address);
      expect([premium.tier, premium.expiry, premium.rate]).to.deep.equal([BigInt(PRO), expiry, PRO_PRICE]);
    });

    it("refuses a downgrade while the higher tier is active, and allows it once expired", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const bought = await minedAt(await sys.spender.connect(sys.eve).buyPremium(PRO, 1n, PRO_PRICE));
      const expiry = bought + PREMIUM_PERIOD;
      await expect(sys.spender.connect(sys.eve).buyPremium(PLUS, 1n, PLUS_PRICE))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderDowngradeWhileActive")
        .withArgs(PRO, PLUS, expiry);
      await time.increaseTo(expiry);
      await expect(sys.spender.connect(sys.eve).buyPremium(PLUS, 1n, PLUS_PRICE))
        .to.emit(sys.spender, "PremiumPurchased")
        .and.not.to.emit(sys.spender, "PremiumConverted");
      expect((await sys.spender.premiumOf(sys.eve.address)).tier).to.equal(BigInt(PLUS));
    });

    it("credits time at the price it was paid, so a price rise cannot be arbitraged by upgrading", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const timelock = await timelockSigner(sys);
      const bought = await minedAt(await sys.spender.connect(sys.eve).buyPremium(PLUS, 12n, 12n * PLUS_PRICE));
      await sys.spender.connect(timelock).setTierPrice(PLUS, 3n * PLUS_PRICE); // Plus now 300, Pro 400
      const upgradeAt = (await now()) + 1n;
      await time.setNextBlockTimestamp(upgradeAt);
      const remaining = bought + 12n * PREMIUM_PERIOD - upgradeAt;
      // Valued at the 100 paid, not at today's 300.
      const credited = (remaining * PLUS_PRICE) / PRO_PRICE;
      await expect(sys.spender.connect(sys.eve).buyPremium(PRO, 1n, PRO_PRICE))
        .to.emit(sys.spender, "PremiumConverted")
        .withArgs(sys.eve.address, PLUS, PRO, remaining, credited);
    });

    it("keeps the rate paid when a tier is extended after a price change (the average over the time left)", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const timelock = await timelockSigner(sys);
      const bought = await minedAt(await sys.spender.connect(sys.eve).buyPremium(PLUS, 1n, PLUS_PRICE));
      await sys.spender.connect(timelock).setTierPrice(PLUS, 2n * PLUS_PRICE);
      const extendAt = (await now()) + 1n;
      await time.setNextBlockTimestamp(extendAt);
      await sys.spender.connect(sys.eve).buyPremium(PLUS, 1n, 2n * PLUS_PRICE);
      const remaining = bought + PREMIUM_PERIOD - extendAt;
      const expected = (remaining * PLUS_PRICE + PREMIUM_PERIOD * 2n * PLUS_PRICE) / (remaining + PREMIUM_PERIOD);
      const premium = await sys.spender.premiumOf(sys.eve.address);
      expect(premium.rate).to.equal(expected);
      expect(premium.expiry).to.equal(bought + 2n * PREMIUM_PERIOD);
    });

    it("rejects an unknown tier", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      for (const tier of [0, 3, 255]) {
        await expect(sys.spender.connect(sys.eve).buyPremium(tier, 1n, MaxUint256))
          .to.be.revertedWithCustomError(sys.spender, "CreditSpenderUnknownTier")
          .withArgs(tier);
      }
      await expect(sys.spender.tierConfig(3)).to.be.revertedWithCustomError(sys.spender, "CreditSpenderUnknownTier");
    });

    it("rejects a disabled tier, and keeps time already bought on it", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const timelock = await timelockSigner(sys);
      await sys.spender.connect(sys.eve).buyPremium(PRO, 1n, PRO_PRICE);
      await expect(sys.spender.connect(timelock).setTierEnabled(PRO, false))
        .to.emit(sys.spender, "TierEnabledSet")
        .withArgs(PRO, false);
      await expect(sys.spender.connect(sys.eve).buyPremium(PRO, 1n, PRO_PRICE))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderTierDisabled")
        .withArgs(PRO);
      expect((await sys.spender.premiumOf(sys.eve.address)).active).to.equal(true);
    });

    it("rejects zero periods", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      await expect(sys.spender.connect(sys.eve).buyPremium(PLUS, 0n, MaxUint256))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderInvalidPeriods")
        .withArgs(0n, 12n);
    });

    it("rejects more periods than MAX_PERIODS in one purchase", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      await expect(sys.spender.connect(sys.eve).buyPremium(PLUS, 13n, MaxUint256))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderInvalidPeriods")
        .withArgs(13n, 12n);
    });

    it("rejects a cost above the buyer's maximum (a price raised after signing)", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      await expect(sys.spender.connect(sys.eve).buyPremium(PLUS, 2n, 2n * PLUS_PRICE - 1n))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderCostAboveMaximum")
        .withArgs(2n * PLUS_PRICE, 2n * PLUS_PRICE - 1n);
    });

    it("quotes what a purchase costs and the expiry it gives", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      await sys.spender.connect(sys.eve).buyPremium(PLUS, 1n, PLUS_PRICE);
      await time.increase(1000n);
      await networkHelpers.mine();
      // Quoted and bought in blocks one second apart: an upgrade's expiry moves by that second.
      const [cost, expiry] = await sys.spender.quotePremium(sys.eve.address, PRO, 2n);
      await time.setNextBlockTimestamp((await now()) + 1n);
      await sys.spender.connect(sys.eve).buyPremium(PRO, 2n, cost);
      expect(cost).to.equal(2n * PRO_PRICE);
      const premium = await sys.spender.premiumOf(sys.eve.address);
      expect(premium.expiry - expiry).to.be.within(0n, 1n);
    });

    it("buys in one transaction with a permit", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const permit = await signPermit(
        sys.token,
        sys.eve,
        await sys.spender.getAddress(),
        PRO_PRICE,
        (await now()) + 600n,
      );
      const at = (await now()) + 1n;
      await time.setNextBlockTimestamp(at);
      await expect(sys.spender.connect(sys.eve).buyPremiumWithPermit(PRO, 1n, PRO_PRICE, permit))
        .to.emit(sys.spender, "PremiumPurchased")
        .withArgs(sys.eve.address, PRO, 1n, PRO_PRICE, PRO_PRICE / 2n, at + PREMIUM_PERIOD);
    });

    it("buys gaslessly through a relayer, with a permit", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const message = await premiumMessage(sys, { tier: PRO, periods: 1n, maxCost: PRO_PRICE });
      const signature = await signBuyPremium(sys.spender, sys.eve, message);
      const permit = await signPermit(sys.token, sys.eve, await sys.spender.getAddress(), PRO_PRICE, message.deadline);
      await expect(sys.spender.connect(sys.outsider).buyPremiumBySig(message, signature, permit))
        .to.emit(sys.spender, "AuthorizationUsed")
        .withArgs(sys.eve.address, 0n, sys.outsider.address)
        .and.to.emit(sys.spender, "PremiumPurchased");
      expect((await sys.spender.premiumOf(sys.eve.address)).tier).to.equal(BigInt(PRO));
    });

    it("rejects a replayed premium authorisation", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const message = await premiumMessage(sys);
      const signature = await signBuyPremium(sys.spender, sys.eve, message);
      await sys.spender.connect(sys.outsider).buyPremiumBySig(message, signature, NO_PERMIT);
      await expect(sys.spender.connect(sys.outsider).buyPremiumBySig(message, signature, NO_PERMIT))
        .to.be.revertedWithCustomError(sys.spender, "InvalidAccountNonce")
        .withArgs(sys.eve.address, 1n);
    });

    it("rejects an expired premium authorisation", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const message = await premiumMessage(sys, { deadline: (await now()) + 10n });
      const signature = await signBuyPremium(sys.spender, sys.eve, message);
      await time.setNextBlockTimestamp(message.deadline + 1n);
      await expect(sys.spender.connect(sys.outsider).buyPremiumBySig(message, signature, NO_PERMIT))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderExpiredAuthorization")
        .withArgs(message.deadline, message.deadline + 1n);
    });

    it("rejects a premium authorisation by the wrong signer, or altered", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const message = await premiumMessage(sys);
      const byBob = await signBuyPremium(sys.spender, sys.bob, message);
      await expect(sys.spender.connect(sys.outsider).buyPremiumBySig(message, byBob, NO_PERMIT))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderInvalidSignature")
        .withArgs(sys.eve.address);
      const signature = await signBuyPremium(sys.spender, sys.eve, message);
      const altered = { ...message, tier: PRO, maxCost: MaxUint256 };
      await expect(sys.spender.connect(sys.outsider).buyPremiumBySig(altered, signature, NO_PERMIT))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderInvalidSignature")
        .withArgs(sys.eve.address);
    });
  });

  describe("governance", function () {
    it("changes a price, adds a tier and sets the burn share through a real proposal", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      const spender = await sys.spender.getAddress();
      const encode = sys.spender.interface.encodeFunctionData.bind(sys.spender.interface);
      const proposal = new GovernorHelper(sys.governor, networkHelpers, {
        targets: [spender, spender, spender],
        values: [0n, 0n, 0n],
        calldatas: [
          encode("setTierPrice", [PLUS, 120n * TOKEN]),
          encode("addTier", [1_000n * TOKEN, 30]),
          encode("setBurnShare", [8_000n]),
        ],
        description: "Plus to 120 CRED, a Team tier at 1,000 CRED, burn 80% of spending",
      });
      const receipt = await proposal.passWith(sys.alice, [sys.alice, sys.bob]);
      const events = receipt!.logs
        .map((log) => {
          try {
            return sys.spender.interface.parseLog(log);
          } catch {
            return null;
          }
        })
        .filter((parsed) => parsed !== null)
        .map((parsed) => parsed.name);
      expect(events).to.deep.equal(["TierPriceSet", "TierAdded", "BurnShareSet"]);
      expect(await sys.spender.tierCount()).to.equal(3n);
      expect(await sys.spender.tierConfig(3)).to.deep.equal([1_000n * TOKEN, 30n, true]);

      const at = (await now()) + 1n;
      await time.setNextBlockTimestamp(at);
      await expect(sys.spender.connect(sys.eve).buyPremium(PLUS, 1n, 120n * TOKEN))
        .to.emit(sys.spender, "PremiumPurchased")
        .withArgs(sys.eve.address, PLUS, 1n, 120n * TOKEN, 96n * TOKEN, at + PREMIUM_PERIOD);
      await expect(sys.spender.connect(sys.eve).buyPremium(3, 1n, 1_000n * TOKEN)).to.emit(
        sys.spender,
        "PremiumConverted",
      );
    });

    it("bounds the setters: burn share at most 100%, prices neither zero nor above 2^128 - 1", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const s = sys.spender.connect(await timelockSigner(sys));
      await expect(s.setBurnShare(BPS + 1n))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderBurnShareTooHigh")
        .withArgs(BPS + 1n, BPS);
      await expect(s.setTierPrice(PLUS, 0n))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderInvalidPrice")
        .withArgs(0n);
      await expect(s.addTier(1n << 128n, 1))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderInvalidPrice")
        .withArgs(1n << 128n);
      await expect(s.setTierPrice(9, TOKEN))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderUnknownTier")
        .withArgs(9);
      await expect(s.setTierEnabled(0, true))
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderUnknownTier")
        .withArgs(0);
      await expect(s.setTierPrice(PLUS, 150n * TOKEN))
        .to.emit(sys.spender, "TierPriceSet")
        .withArgs(PLUS, PLUS_PRICE, 150n * TOKEN);
    });

    it("refuses every privileged function to an outsider", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const s = sys.spender.connect(sys.outsider);
      const calls = [
        () => s.addTier(TOKEN, 1),
        () => s.setTierPrice(PLUS, TOKEN),
        () => s.setTierEnabled(PLUS, false),
        () => s.setBurnShare(0n),
        () => s.setGuardian(sys.outsider.address),
        () => s.unpause(),
        () => s.transferOwnership(sys.outsider.address),
        () => s.renounceOwnership(),
      ];
      for (const call of calls) {
        await expect(call())
          .to.be.revertedWithCustomError(sys.spender, "OwnableUnauthorizedAccount")
          .withArgs(sys.outsider.address);
      }
      await expect(s.pause())
        .to.be.revertedWithCustomError(sys.spender, "CreditSpenderUnauthorizedPauser")
        .withArgs(sys.outsider.address);
    });

    it("lets the guardian pause and nothing else; paused, every payment path reverts; only the timelock unpauses", async function () {
      const sys = await withApproval(await networkHelpers.loadFixture(deployGovernedSystem));
      await sys.spender.connect(sys.eve).buyPremium(PLUS, 1n, PLUS_PRICE);
      const g = sys.spender.connect(sys.guardian);
      await expect(g.pause()).to.emit(sys.spender, "Paused").withArgs(sys.guardian.address);
      await expect(g.unpause())
        .to.be.revertedWithCustomError(sys.spender, "OwnableUnauthorizedAccount")
        .withArgs(sys.guardian.address);
      await expect(g.setBurnShare(0n)).to.be.revertedWithCustomError(sys.spender, "OwnableUnauthorizedAccount");

      const e = sys.spender.connect(sys.eve);
      const spend = await spendMessage(sys);
      const premium = await premiumMessage(sys);
      const paused = [
        () => e.spend(TOKEN, usageRef("paused")),
        () => e.spendWithPermit(TOKEN, usageRef("paused"), NO_PERMIT),
        async () => e.spendBySig(spend, await signSpend(sys.spender, sys.eve, spend), NO_PERMIT),
        () => e.buyPremium(PLUS, 1n, PLUS_PRICE),
        () => e.buyPremiumWithPermit(PLUS, 1n, PLUS_PRICE, NO_PERMIT),
        async () => e.buyPremiumBySig(premium, await signBuyPremium(sys.spender, sys.eve, premium), NO_PERMIT),
      ];
      for (const call of paused) {
        await expect(call()).to.be.revertedWithCustomError(sys.spender, "EnforcedPause");
      }
      // Premium already bought stays active while payments are paused.
      expect((await sys.spender.premiumOf(sys.eve.address)).active).to.equal(true);

      const timelock = await timelockSigner(sys);
      await expect(sys.spender.connect(timelock).unpause()).to.emit(sys.spender, "Unpaused");
      await expect(e.spend(TOKEN, usageRef("resumed"))).to.emit(sys.spender, "Spent");
      await expect(sys.spender.connect(timelock).setGuardian(ZeroAddress))
        .to.emit(sys.spender, "GuardianSet")
        .withArgs(sys.guardian.address, ZeroAddress);
      await expect(g.pause()).to.be.revertedWithCustomError(sys.spender, "CreditSpenderUnauthorizedPauser");
    });

    it("cannot renounce ownership, even by the timelock", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      await expect(sys.spender.connect(await timelockSigner(sys)).renounceOwnership()).to.be.revertedWithCustomError(
        sys.spender,
        "CreditSpenderRenounceDisabled",
      );
    });

    it("rejects a constructor wired to another token's controller, a zero treasury or a burn share above 100%", async function () {
      const sys = await networkHelpers.loadFixture(deployGovernedSystem);
      const token = await sys.token.getAddress();
      const emission = await sys.emission.getAddress();
      const timelock = await sys.timelock.getAddress();
      const tiers = [{ price: TOKEN, rank: 1 }];
      const factory = await ethers.getContractFactory("CreditSpender");
      const otherEmission = await ethers.deployContract("EmissionController", [
        await sys.stablecoin.getAddress(),
        timelock,
        DEFAULT_POLICY,
        TOKEN,
      ]);
      await expect(
        ethers.deployContract("CreditSpender", [token, otherEmission, timelock, timelock, ZeroAddress, 0n, tiers]),
      ).to.be.revertedWithCustomError(factory, "CreditSpenderInvalidConfig");
      await expect(
        ethers.deployContract("CreditSpender", [token, emission, timelock, ZeroAddress, ZeroAddress, 0n, tiers]),
      ).to.be.revertedWithCustomError(factory, "CreditSpenderInvalidConfig");
      await expect(
        ethers.deployContract("CreditSpender", [token, emission, timelock, timelock, ZeroAddress, BPS + 1n, tiers]),
      )
        .to.be.revertedWithCustomError(factory, "CreditSpenderBurnShareTooHigh")
        .withArgs(BPS + 1n, BPS);
    });
  });
});
