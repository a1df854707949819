import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { network } from "hardhat";

import type { CreditToken, EmissionController } from "../../types/ethers-contracts/index.js";
import { DAY, HOUR, TOKEN } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

const NAME = "Contribution Credit";
const SYMBOL = "CRED";
const CAP = 1_000_000_000n * TOKEN;
/** Genesis supply, so that the annual cap is a real number: 2% of it is 20_000 tokens. */
const GENESIS_SUPPLY = 1_000_000n * TOKEN;
const EPOCH = 7n * DAY;
/** Larger than a quarter of the annual cap: the cap binds after two and a half epochs. */
const BUDGET = 8_000n * TOKEN;
const INFLATION_BPS = 200n;

// The policy's constants, as the NatSpec states them.
const BPS = 10_000n;
const MAX_ANNUAL_INFLATION_BPS = 1_000n;
const YEAR = 365n * DAY;
const STATIC_REWARD_SCALE = 10n ** 18n;

/** The figures of an epoch, as plain values (the struct `epochState` returns). */
interface EpochFigures {
  epoch: bigint;
  start: bigint;
  budget: bigint;
  limit: bigint;
  minted: bigint;
  demand: bigint;
  annualCap: bigint;
  mintedInWindowBefore: bigint;
  rewardScale: bigint;
}

function figures(state: EpochFigures): EpochFigures {
  const { epoch, start, budget, limit, minted, demand, annualCap, mintedInWindowBefore, rewardScale } = state;
  return { epoch, start, budget, limit, minted, demand, annualCap, mintedInWindowBefore, rewardScale };
}

// ---------------------------------------------------------------------------------------------
// The policy, written from the NatSpec (an independent model the contract is checked against).
// ---------------------------------------------------------------------------------------------

/** `annualCap(e) = annualInflationBps * totalSupply / 10_000`, supply read when `e` opens. */
function annualCapOf(supply: bigint, bps: bigint): bigint {
  return (supply * bps) / BPS;
}

/**
 * The first epoch that overlaps the 365 days before epoch `epoch` starts: the epoch holding the
 * second `start(epoch) - 365 days`, or epoch 0 if that second is before genesis.
 */
function firstEpochInWindow(epoch: bigint, epochLength: bigint): bigint {
  const start = epoch * epochLength; // relative to genesis
  return start < YEAR ? 0n : (start - YEAR) / epochLength;
}

/** `limit = min(budget, annualCap - mintedInWindowBefore)`, zero once the window is full. */
function limitOf(budget: bigint, annualCap: bigint, mintedInWindowBefore: bigint): bigint {
  const room = annualCap > mintedInWindowBefore ? annualCap - mintedInWindowBefore : 0n;
  return budget < room ? budget : room;
}

/** Minted per epoch, as the test recorded it. */
class MintLedger {
  readonly minted = new Map<bigint, bigint>();

  constructor(readonly epochLength: bigint) {}

  add(epoch: bigint, amount: bigint): void {
    this.minted.set(epoch, (this.minted.get(epoch) ?? 0n) + amount);
  }

  /** Minted in epochs `[from, to)`. */
  sum(from: bigint, to: bigint): bigint {
    let total = 0n;
    for (const [epoch, amount] of this.minted) if (epoch >= from && epoch < to) total += amount;
    return total;
  }

  /** Minted in every earlier epoch that overlaps the 365 days before `epoch` starts. */
  mintedInWindowBefore(epoch: bigint): bigint {
    return this.sum(firstEpochInWindow(epoch, this.epochLength), epoch);
  }

  /** The figures `epoch` gets when it opens with these parameters and this supply. */
  opening(epoch: bigint, genesisTime: bigint, budget: bigint, bps: bigint, supply: bigint): EpochFigures {
    const annualCap = annualCapOf(supply, bps);
    const mintedInWindowBefore = this.mintedInWindowBefore(epoch);
    return {
      epoch,
      start: genesisTime + epoch * this.epochLength,
      budget,
      limit: limitOf(budget, annualCap, mintedInWindowBefore),
      minted: 0n,
      demand: 0n,
      annualCap,
      mintedInWindowBefore,
      rewardScale: STATIC_REWARD_SCALE,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

interface EmissionFixture {
  token: CreditToken;
  emission: EmissionController;
  /** The token's admin (stands in for the timelock on the token). */
  admin: HardhatEthersSigner;
  /** An EOA holding MINTER_ROLE, calling recordMint directly (stands in for ContributionRewards). */
  minter: HardhatEthersSigner;
  /** The controller's owner (stands in for the timelock). */
  owner: HardhatEthersSigner;
  holder: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
  genesisTime: bigint;
  epochLength: bigint;
}

async function deployWith(epochLength: bigint, budget: bigint, bps: bigint): Promise<EmissionFixture> {
  const [, admin, minter, owner, holder, outsider] = await ethers.getSigners();
  if (!admin || !minter || !owner || !holder || !outsider) throw new Error("need 6 accounts");
  const token = await ethers.deployContract("CreditToken", [
    NAME,
    SYMBOL,
    CAP,
    admin.address,
    admin.address,
    GENESIS_SUPPLY,
    [],
    [],
  ]);
  await token.connect(admin).grantRole(await token.MINTER_ROLE(), minter.address);
  const emission = await ethers.deployContract("EmissionController", [
    await token.getAddress(),
    owner.address,
    epochLength,
    budget,
    bps,
  ]);
  const genesisTime = await emission.genesisTime();
  return { token, emission, admin, minter, owner, holder, outsider, genesisTime, epochLength };
}

/** 7-day epochs, an 8_000-token budget, a 2% annual cap (20_000 tokens of a 1M supply). */
async function deployEmission(): Promise<EmissionFixture> {
  return deployWith(EPOCH, BUDGET, INFLATION_BPS);
}

/** 30-day epochs (365 days is not a whole number of them), 30_000-token budget, 5% annual cap. */
async function deployEmission30(): Promise<EmissionFixture> {
  return deployWith(30n * DAY, 30_000n * TOKEN, 500n);
}

/** Mines a block at `offset` seconds into `epoch` (the next transaction lands one second later). */
async function goToEpoch(fx: EmissionFixture, epoch: bigint, offset = 0n): Promise<void> {
  await networkHelpers.time.increaseTo(fx.genesisTime + epoch * fx.epochLength + offset);
}

/** Makes the next transaction land at `offset` seconds into `epoch`. */
async function nextTxInEpoch(fx: EmissionFixture, epoch: bigint, offset = 0n): Promise<void> {
  await networkHelpers.time.setNextBlockTimestamp(fx.genesisTime + epoch * fx.epochLength + offset);
}

async function stateOf(fx: EmissionFixture, epoch: bigint): Promise<EpochFigures> {
  return figures(await fx.emission.epochState(epoch));
}

function zeros(fx: EmissionFixture, epoch: bigint): EpochFigures {
  return {
    epoch,
    start: fx.genesisTime + epoch * fx.epochLength,
    budget: 0n,
    limit: 0n,
    minted: 0n,
    demand: 0n,
    annualCap: 0n,
    mintedInWindowBefore: 0n,
    rewardScale: 0n,
  };
}

describe("EmissionController", function () {
  describe("deployment", function () {
    it("stores the token, owner, epoch length, budget, inflation cap and genesis time", async function () {
      const { token, emission, owner } = await networkHelpers.loadFixture(deployEmission);
      const receipt = await emission.deploymentTransaction()!.wait();
      const block = await ethers.provider.getBlock(receipt!.blockNumber);
      expect(await emission.token()).to.equal(await token.getAddress());
      expect(await emission.owner()).to.equal(owner.address);
      expect(await emission.pendingOwner()).to.equal(ZeroAddress);
      expect(await emission.genesisTime()).to.equal(BigInt(block!.timestamp));
      expect(await emission.epochLength()).to.equal(EPOCH);
      expect(await emission.epochBudget()).to.equal(BUDGET);
      expect(await emission.annualInflationBps()).to.equal(INFLATION_BPS);
      expect(await emission.MAX_ANNUAL_INFLATION_BPS()).to.equal(MAX_ANNUAL_INFLATION_BPS);
      expect(await emission.BPS()).to.equal(BPS);
      expect(await emission.ANNUAL_WINDOW()).to.equal(YEAR);
      expect(await emission.STATIC_REWARD_SCALE()).to.equal(STATIC_REWARD_SCALE);
      expect(await emission.MIN_EPOCH_LENGTH()).to.equal(HOUR);
      expect(await emission.currentEpoch()).to.equal(0n);
    });

    it("emits EpochBudgetSet and AnnualInflationSet from epoch 0", async function () {
      const { emission } = await networkHelpers.loadFixture(deployEmission);
      const deployment = emission.deploymentTransaction()!;
      await expect(deployment).to.emit(emission, "EpochBudgetSet").withArgs(0n, BUDGET, 0n);
      await expect(deployment).to.emit(emission, "AnnualInflationSet").withArgs(0n, INFLATION_BPS, 0n);
      await expect(deployment).to.not.emit(emission, "EpochOpened");
    });

    it("rejects a zero token", async function () {
      const { owner } = await networkHelpers.loadFixture(deployEmission);
      const factory = await ethers.getContractFactory("EmissionController");
      await expect(
        ethers.deployContract("EmissionController", [ZeroAddress, owner.address, EPOCH, BUDGET, INFLATION_BPS]),
      ).to.be.revertedWithCustomError(factory, "EmissionControllerInvalidConfig");
    });

    it("rejects an epoch shorter than one hour or longer than 365 days, and accepts both bounds", async function () {
      const { token, owner } = await networkHelpers.loadFixture(deployEmission);
      const factory = await ethers.getContractFactory("EmissionController");
      const tokenAddress = await token.getAddress();
      const deploy = (epochLength: bigint) =>
        ethers.deployContract("EmissionController", [tokenAddress, owner.address, epochLength, BUDGET, INFLATION_BPS]);
      await expect(deploy(0n)).to.be.revertedWithCustomError(factory, "EmissionControllerInvalidConfig");
      await expect(deploy(HOUR - 1n)).to.be.revertedWithCustomError(factory, "EmissionControllerInvalidConfig");
      await expect(deploy(YEAR + 1n)).to.be.revertedWithCustomError(factory, "EmissionControllerInvalidConfig");
      expect(await (await deploy(HOUR)).epochLength()).to.equal(HOUR);
      expect(await (await deploy(YEAR)).epochLength()).to.equal(YEAR);
    });

    it("rejects an annual inflation above the maximum with the numbers, and accepts the maximum", async function () {
      const { token, owner } = await networkHelpers.loadFixture(deployEmission);
      const factory = await ethers.getContractFactory("EmissionController");
      const tokenAddress = await token.getAddress();
      await expect(
        ethers.deployContract("EmissionController", [
          tokenAddress,
          owner.address,
          EPOCH,
          BUDGET,
          MAX_ANNUAL_INFLATION_BPS + 1n,
        ]),
      )
        .to.be.revertedWithCustomError(factory, "EmissionControllerAnnualInflationTooHigh")
        .withArgs(MAX_ANNUAL_INFLATION_BPS + 1n, MAX_ANNUAL_INFLATION_BPS);
      const atMax = await ethers.deployContract("EmissionController", [
        tokenAddress,
        owner.address,
        EPOCH,
        BUDGET,
        MAX_ANNUAL_INFLATION_BPS,
      ]);
      expect(await atMax.annualInflationBps()).to.equal(MAX_ANNUAL_INFLATION_BPS);
    });
  });

  describe("epochs", function () {
    it("puts epoch boundaries exactly at genesisTime + k * epochLength", async function () {
      const { emission, genesisTime } = await networkHelpers.loadFixture(deployEmission);
      expect(await emission.epochAt(genesisTime)).to.equal(0n);
      for (const k of [1n, 2n, 52n, 1_000n]) {
        const boundary = genesisTime + k * EPOCH;
        expect(await emission.epochAt(boundary - 1n)).to.equal(k - 1n);
        expect(await emission.epochAt(boundary)).to.equal(k);
        expect(await emission.epochAt(boundary + EPOCH - 1n)).to.equal(k);
        expect((await emission.epochState(k)).start).to.equal(boundary);
      }
    });

    it("reverts for a timestamp before genesis", async function () {
      const { emission, genesisTime } = await networkHelpers.loadFixture(deployEmission);
      await expect(emission.epochAt(genesisTime - 1n)).to.be.revertedWithPanic(0x11);
    });

    it("advances currentEpoch with time", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission } = fx;
      expect(await emission.currentEpoch()).to.equal(0n);
      await goToEpoch(fx, 1n, -1n);
      expect(await emission.currentEpoch()).to.equal(0n);
      await goToEpoch(fx, 1n);
      expect(await emission.currentEpoch()).to.equal(1n);
      await networkHelpers.time.increase(EPOCH - 1n);
      expect(await emission.currentEpoch()).to.equal(1n);
      await networkHelpers.time.increase(1n);
      expect(await emission.currentEpoch()).to.equal(2n);
      await networkHelpers.time.increase(10n * EPOCH + 3n * DAY);
      expect(await emission.currentEpoch()).to.equal(12n);
      expect(await emission.currentEpoch()).to.equal(
        await emission.epochAt(BigInt(await networkHelpers.time.latest())),
      );
    });

    it("accepts a mint for an epoch in its last second and refuses it one second later", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter } = fx;
      await nextTxInEpoch(fx, 1n, -1n);
      await expect(emission.connect(minter).recordMint(0n, TOKEN, TOKEN))
        .to.emit(emission, "MintRecorded")
        .withArgs(0n, minter.address, TOKEN, TOKEN);
      await nextTxInEpoch(fx, 1n);
      await expect(emission.connect(minter).recordMint(0n, TOKEN, TOKEN))
        .to.be.revertedWithCustomError(emission, "EmissionControllerEpochMismatch")
        .withArgs(0n, 1n);
    });
  });

  describe("lazy opening", function () {
    it("projects the current unopened epoch in epochState, mintAllowance and mintedInTrailingYear", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, token } = fx;
      const ledger = new MintLedger(EPOCH);
      const expected = ledger.opening(0n, fx.genesisTime, BUDGET, INFLATION_BPS, await token.totalSupply());
      expect(expected.annualCap).to.equal((GENESIS_SUPPLY * INFLATION_BPS) / BPS);
      expect(await stateOf(fx, 0n)).to.deep.equal(expected);
      expect(await emission.mintAllowance()).to.deep.equal([0n, expected.limit, 0n, STATIC_REWARD_SCALE]);
      expect(await emission.mintedInTrailingYear()).to.equal(0n);

      // A later epoch, still unopened, is projected the same way.
      await goToEpoch(fx, 5n, 3n * DAY);
      expect(await stateOf(fx, 5n)).to.deep.equal({ ...expected, epoch: 5n, start: fx.genesisTime + 5n * EPOCH });
      expect(await emission.mintAllowance()).to.deep.equal([5n, expected.limit, 0n, STATIC_REWARD_SCALE]);
      // Epochs before it that were never used read as zeros.
      expect(await stateOf(fx, 0n)).to.deep.equal(zeros(fx, 0n));
      expect(await stateOf(fx, 4n)).to.deep.equal(zeros(fx, 4n));
    });

    it("opens the epoch on the first recordMint with EpochOpened, then emits MintRecorded", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter, token } = fx;
      const ledger = new MintLedger(EPOCH);
      await goToEpoch(fx, 2n, DAY);
      const expected = ledger.opening(2n, fx.genesisTime, BUDGET, INFLATION_BPS, await token.totalSupply());
      const tx = emission.connect(minter).recordMint(2n, 3n * TOKEN, 5n * TOKEN);
      await expect(tx)
        .to.emit(emission, "EpochOpened")
        .withArgs(2n, expected.budget, expected.limit, expected.annualCap, expected.mintedInWindowBefore);
      await expect(tx)
        .to.emit(emission, "MintRecorded")
        .withArgs(2n, minter.address, 3n * TOKEN, 5n * TOKEN);
      expect(await stateOf(fx, 2n)).to.deep.equal({ ...expected, minted: 3n * TOKEN, demand: 5n * TOKEN });
      expect(await emission.mintAllowance()).to.deep.equal([2n, expected.limit, 3n * TOKEN, STATIC_REWARD_SCALE]);
      expect(await emission.mintedInTrailingYear()).to.equal(3n * TOKEN);
    });

    it("accumulates minted and demand, lets demand exceed minted, and opens the epoch only once", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter, token } = fx;
      const expected = new MintLedger(EPOCH).opening(0n, fx.genesisTime, BUDGET, INFLATION_BPS, GENESIS_SUPPLY);
      const mints = [
        { minted: 1_000n * TOKEN, demand: 1_000n * TOKEN },
        { minted: 2_500n * TOKEN, demand: 9_000n * TOKEN },
        { minted: 0n, demand: 4_000n * TOKEN },
        { minted: 7n, demand: 0n },
      ];
      let minted = 0n;
      let demand = 0n;
      for (const [i, m] of mints.entries()) {
        const tx = emission.connect(minter).recordMint(0n, m.minted, m.demand);
        if (i === 0) await expect(tx).to.emit(emission, "EpochOpened");
        else await expect(tx).to.not.emit(emission, "EpochOpened");
        await expect(tx).to.emit(emission, "MintRecorded").withArgs(0n, minter.address, m.minted, m.demand);
        minted += m.minted;
        demand += m.demand;
        expect(await stateOf(fx, 0n)).to.deep.equal({ ...expected, minted, demand });
      }
      expect(demand).to.be.greaterThan(minted);
      expect(await emission.mintAllowance()).to.deep.equal([0n, expected.limit, minted, STATIC_REWARD_SCALE]);
      expect(await emission.mintedInTrailingYear()).to.equal(minted);
      // Recording does not mint: the supply is the minter's business.
      expect(await token.totalSupply()).to.equal(GENESIS_SUPPLY);
    });

    it("opens an epoch with the figures it projected: the previous epoch's mint counted once", async function () {
      // Fails on the current contract: `_open` pushes the last opened epoch's mint into the
      // cumulative checkpoint, then `_opening` adds the same mint again, so the new epoch's
      // mintedInWindowBefore counts it twice and its limit is lower than the NatSpec formula
      // and than what epochState / mintAllowance projected an instant earlier.
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter } = fx;
      const ledger = new MintLedger(EPOCH);
      const first = 7_000n * TOKEN;
      await emission.connect(minter).recordMint(0n, first, first);
      ledger.add(0n, first);
      await goToEpoch(fx, 1n);
      const expected = ledger.opening(1n, fx.genesisTime, BUDGET, INFLATION_BPS, GENESIS_SUPPLY);
      expect(expected.mintedInWindowBefore).to.equal(first);
      expect(expected.limit).to.equal(BUDGET);
      const projected = await stateOf(fx, 1n);
      expect(projected).to.deep.equal(expected);
      expect(await emission.mintAllowance()).to.deep.equal([1n, expected.limit, 0n, STATIC_REWARD_SCALE]);
      expect(await emission.mintedInTrailingYear()).to.equal(first);

      // Opening the epoch (with a mint of zero) must not change its figures.
      await expect(emission.connect(minter).recordMint(1n, 0n, 0n))
        .to.emit(emission, "EpochOpened")
        .withArgs(1n, BUDGET, expected.limit, expected.annualCap, first);
      expect(await stateOf(fx, 1n)).to.deep.equal(projected);
      expect(await emission.mintAllowance()).to.deep.equal([1n, expected.limit, 0n, STATIC_REWARD_SCALE]);
      expect(await emission.mintedInTrailingYear()).to.equal(first);
    });

    it("reads the annual cap from the supply when the epoch opens, and keeps it for the epoch", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter, token, admin, holder } = fx;
      // The supply moves before epoch 1 opens: a burn and a mint.
      await token.connect(admin).burn(100_000n * TOKEN);
      await token.connect(minter).mint(holder.address, 12_345n * TOKEN);
      await goToEpoch(fx, 1n);
      const supply = await token.totalSupply();
      expect(supply).to.equal(GENESIS_SUPPLY - 100_000n * TOKEN + 12_345n * TOKEN);
      const expectedCap = annualCapOf(supply, INFLATION_BPS);
      expect((await stateOf(fx, 1n)).annualCap).to.equal(expectedCap);
      await expect(emission.connect(minter).recordMint(1n, TOKEN, TOKEN))
        .to.emit(emission, "EpochOpened")
        .withArgs(1n, BUDGET, limitOf(BUDGET, expectedCap, 0n), expectedCap, 0n);
      // Supply changes after opening do not move the epoch's cap...
      await token.connect(minter).mint(holder.address, 500_000n * TOKEN);
      expect((await stateOf(fx, 1n)).annualCap).to.equal(expectedCap);
      // ...but the next epoch's projection reads the new supply.
      const nextCap = annualCapOf(await token.totalSupply(), INFLATION_BPS);
      expect(nextCap).to.not.equal(expectedCap);
      expect((await stateOf(fx, 2n)).annualCap).to.equal(nextCap);
    });

    it("projects a future epoch with the parameters and supply of now", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter, token } = fx;
      const ledger = new MintLedger(EPOCH);
      await emission.connect(minter).recordMint(0n, 6_000n * TOKEN, 6_000n * TOKEN);
      ledger.add(0n, 6_000n * TOKEN);
      const supply = await token.totalSupply();
      for (const epoch of [1n, 10n, 52n, 53n, 60n]) {
        expect(await stateOf(fx, epoch)).to.deep.equal(
          ledger.opening(epoch, fx.genesisTime, BUDGET, INFLATION_BPS, supply),
        );
      }
      // Epoch 0 still weighs on epoch 53 (it overlaps the 365 days before day 371), not on 54.
      expect((await stateOf(fx, 53n)).mintedInWindowBefore).to.equal(6_000n * TOKEN);
      expect((await stateOf(fx, 54n)).mintedInWindowBefore).to.equal(0n);
    });
  });

  describe("recordMint", function () {
    it("rejects a caller without MINTER_ROLE, whoever it is", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, token, admin, minter, owner, outsider } = fx;
      for (const caller of [outsider, admin, owner]) {
        await expect(emission.connect(caller).recordMint(0n, 1n, 1n))
          .to.be.revertedWithCustomError(emission, "EmissionControllerUnauthorizedMinter")
          .withArgs(caller.address);
      }
      // A minter whose role was revoked is refused as well.
      await token.connect(admin).revokeRole(await token.MINTER_ROLE(), minter.address);
      await expect(emission.connect(minter).recordMint(0n, 1n, 1n))
        .to.be.revertedWithCustomError(emission, "EmissionControllerUnauthorizedMinter")
        .withArgs(minter.address);
      expect(await stateOf(fx, 0n)).to.deep.equal(
        new MintLedger(EPOCH).opening(0n, fx.genesisTime, BUDGET, INFLATION_BPS, GENESIS_SUPPLY),
      );
    });

    it("rejects a mint computed for another epoch, with the expected and current epochs", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter } = fx;
      await goToEpoch(fx, 3n);
      for (const wrong of [0n, 2n, 4n, 2n ** 255n]) {
        await expect(emission.connect(minter).recordMint(wrong, 1n, 1n))
          .to.be.revertedWithCustomError(emission, "EmissionControllerEpochMismatch")
          .withArgs(wrong, 3n);
      }
    });

    it("refuses more than the remaining limit, leaves the state unchanged, and accepts exactly the rest", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter } = fx;
      const first = 3_000n * TOKEN;
      await emission.connect(minter).recordMint(0n, first, first);
      const before = await stateOf(fx, 0n);
      const remaining = before.limit - first;
      expect(before.limit).to.equal(BUDGET);

      await expect(emission.connect(minter).recordMint(0n, remaining + 1n, remaining + 1n))
        .to.be.revertedWithCustomError(emission, "EmissionControllerBudgetExceeded")
        .withArgs(remaining + 1n, remaining);
      expect(await stateOf(fx, 0n)).to.deep.equal(before);
      expect(await emission.mintedInTrailingYear()).to.equal(first);

      await expect(emission.connect(minter).recordMint(0n, remaining, remaining))
        .to.emit(emission, "MintRecorded")
        .withArgs(0n, minter.address, remaining, remaining);
      expect(await stateOf(fx, 0n)).to.deep.equal({ ...before, minted: before.limit, demand: before.limit });

      await expect(emission.connect(minter).recordMint(0n, 1n, 1n))
        .to.be.revertedWithCustomError(emission, "EmissionControllerBudgetExceeded")
        .withArgs(1n, 0n);
      // Demand can still be recorded once the limit is spent.
      await emission.connect(minter).recordMint(0n, 0n, 2_000n * TOKEN);
      expect(await stateOf(fx, 0n)).to.deep.equal({
        ...before,
        minted: before.limit,
        demand: before.limit + 2_000n * TOKEN,
      });
    });

    it("keeps an epoch unopened when its first mint is refused", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter } = fx;
      await expect(emission.connect(minter).recordMint(0n, BUDGET + 1n, 0n))
        .to.be.revertedWithCustomError(emission, "EmissionControllerBudgetExceeded")
        .withArgs(BUDGET + 1n, BUDGET);
      // The opening was rolled back with the refusal: the next use opens the epoch.
      await expect(emission.connect(minter).recordMint(0n, BUDGET, BUDGET))
        .to.emit(emission, "EpochOpened")
        .withArgs(0n, BUDGET, BUDGET, annualCapOf(GENESIS_SUPPLY, INFLATION_BPS), 0n);
    });
  });

  describe("skipped epochs", function () {
    it("opens only the current epoch after many skipped epochs; the skipped ones read as zeros", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter } = fx;
      await emission.connect(minter).recordMint(0n, 5_000n * TOKEN, 5_000n * TOKEN);
      const target = 1_000n; // about 19 years later
      await goToEpoch(fx, target, 2n * DAY);
      const tx = await emission.connect(minter).recordMint(target, BUDGET, BUDGET);
      const receipt = await tx.wait();
      const openedTopic = emission.interface.getEvent("EpochOpened").topicHash;
      const opened = receipt!.logs.filter((log) => log.topics[0] === openedTopic);
      expect(opened).to.have.length(1);
      // Epoch 0 left the trailing year long ago: the full budget is available.
      const cap = annualCapOf(GENESIS_SUPPLY, INFLATION_BPS);
      await expect(tx).to.emit(emission, "EpochOpened").withArgs(target, BUDGET, BUDGET, cap, 0n);

      expect((await stateOf(fx, 0n)).minted).to.equal(5_000n * TOKEN);
      for (const skipped of [1n, 2n, 500n, target - 1n]) {
        expect(await stateOf(fx, skipped)).to.deep.equal(zeros(fx, skipped));
      }
      expect(await emission.mintedInTrailingYear()).to.equal(BUDGET);
    });

    it("counts a mint made before a gap while it is still in the trailing year", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter } = fx;
      const ledger = new MintLedger(EPOCH);
      await emission.connect(minter).recordMint(0n, 7_000n * TOKEN, 7_000n * TOKEN);
      ledger.add(0n, 7_000n * TOKEN);
      await goToEpoch(fx, 10n);
      await emission.connect(minter).recordMint(10n, 6_000n * TOKEN, 6_000n * TOKEN);
      ledger.add(10n, 6_000n * TOKEN);
      await goToEpoch(fx, 30n);
      const expected = ledger.opening(30n, fx.genesisTime, BUDGET, INFLATION_BPS, GENESIS_SUPPLY);
      expect(expected.mintedInWindowBefore).to.equal(13_000n * TOKEN);
      expect(expected.limit).to.equal(annualCapOf(GENESIS_SUPPLY, INFLATION_BPS) - 13_000n * TOKEN);
      expect(await stateOf(fx, 30n)).to.deep.equal(expected);
      await expect(emission.connect(minter).recordMint(30n, expected.limit + 1n, 0n))
        .to.be.revertedWithCustomError(emission, "EmissionControllerBudgetExceeded")
        .withArgs(expected.limit + 1n, expected.limit);
      await expect(emission.connect(minter).recordMint(30n, expected.limit, 0n))
        .to.emit(emission, "EpochOpened")
        .withArgs(30n, BUDGET, expected.limit, expected.annualCap, expected.mintedInWindowBefore);
      expect(await emission.mintedInTrailingYear()).to.equal(annualCapOf(GENESIS_SUPPLY, INFLATION_BPS));
    });
  });

  describe("annual inflation cap", function () {
    it("shrinks the limit as the trailing year fills, to zero, and restores it as epochs leave the window", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter } = fx;
      // recordMint alone does not mint, so the supply (and the annual cap) stays constant here.
      const annualCap = annualCapOf(GENESIS_SUPPLY, INFLATION_BPS);
      expect(BUDGET * 3n).to.be.greaterThan(annualCap);
      const ledger = new MintLedger(EPOCH);

      /** Checks the projection of `epoch`, then mints as much as it allows (or `amount`). */
      const mintIn = async (epoch: bigint, amount?: bigint): Promise<EpochFigures> => {
        if (epoch > 0n) await goToEpoch(fx, epoch, HOUR);
        const expected = ledger.opening(epoch, fx.genesisTime, BUDGET, INFLATION_BPS, GENESIS_SUPPLY);
        expect(await stateOf(fx, epoch)).to.deep.equal(expected);
        expect(await emission.mintedInTrailingYear()).to.equal(expected.mintedInWindowBefore);
        const minted = amount ?? expected.limit;
        await expect(emission.connect(minter).recordMint(epoch, minted, BUDGET))
          .to.emit(emission, "EpochOpened")
          .withArgs(epoch, BUDGET, expected.limit, annualCap, expected.mintedInWindowBefore);
        ledger.add(epoch, minted);
        expect(await emission.mintedInTrailingYear()).to.equal(expected.mintedInWindowBefore + minted);
        return expected;
      };

      // Epochs 0 and 1 get their full budget; epoch 2 only what is left of the annual cap.
      expect((await mintIn(0n)).limit).to.equal(BUDGET);
      expect((await mintIn(1n)).limit).to.equal(BUDGET);
      const third = await mintIn(2n);
      expect(third.limit).to.equal(annualCap - 2n * BUDGET);
      expect(third.limit).to.be.lessThan(BUDGET);
      // The year is full: epoch 3 has nothing, but still records demand.
      const fourth = await mintIn(3n, 0n);
      expect(fourth.limit).to.equal(0n);
      expect(fourth.mintedInWindowBefore).to.equal(annualCap);
      await expect(emission.connect(minter).recordMint(3n, 1n, 1n))
        .to.be.revertedWithCustomError(emission, "EmissionControllerBudgetExceeded")
        .withArgs(1n, 0n);

      // Epoch 52 starts on day 364, epoch 53 on day 371: the 365 days before it begin on day 6,
      // inside epoch 0, so epoch 0 still counts (whole-epoch counting is conservative).
      for (const epoch of [52n, 53n]) {
        await goToEpoch(fx, epoch, HOUR);
        expect(firstEpochInWindow(epoch, EPOCH)).to.equal(0n);
        expect(await stateOf(fx, epoch)).to.deep.equal(
          ledger.opening(epoch, fx.genesisTime, BUDGET, INFLATION_BPS, GENESIS_SUPPLY),
        );
        expect((await stateOf(fx, epoch)).limit).to.equal(0n);
        expect(await emission.mintedInTrailingYear()).to.equal(annualCap);
        await expect(emission.connect(minter).recordMint(epoch, 1n, 1n))
          .to.be.revertedWithCustomError(emission, "EmissionControllerBudgetExceeded")
          .withArgs(1n, 0n);
      }

      // Epoch 54 (day 378): epoch 0 has left the window, its budget comes back.
      expect(firstEpochInWindow(54n, EPOCH)).to.equal(1n);
      const back = await mintIn(54n);
      expect(back.mintedInWindowBefore).to.equal(annualCap - BUDGET);
      expect(back.limit).to.equal(BUDGET);
      // Epoch 55: epoch 1 leaves, epoch 54 came in; epoch 56: epoch 2 leaves, and so on.
      const next = await mintIn(55n);
      expect(next.mintedInWindowBefore).to.equal(third.limit + BUDGET);
      expect(next.limit).to.equal(limitOf(BUDGET, annualCap, third.limit + BUDGET));
      const after = await mintIn(56n);
      expect(after.mintedInWindowBefore).to.equal(back.limit + next.limit);
      expect(after.limit).to.equal(limitOf(BUDGET, annualCap, back.limit + next.limit));
    });

    it("keeps every epoch's window within its annual cap over five years of mints (30-day epochs)", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission30);
      const { emission, minter, owner, token, holder } = fx;
      const ledger = new MintLedger(fx.epochLength);
      const openedFigures = new Map<bigint, EpochFigures>();
      let budget = await emission.epochBudget();
      let bps = await emission.annualInflationBps();
      let supply = await token.totalSupply();
      // A deterministic pseudo-random schedule (mulberry32), so that failures reproduce.
      let seed = 0x5eed;
      const random = (n: number): number => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) % n;
      };

      let epoch = 0n;
      while (epoch < 60n) {
        // Open the epoch with a mint (most of the time) or with a parameter change.
        const expected = ledger.opening(epoch, fx.genesisTime, budget, bps, supply);
        expect(await stateOf(fx, epoch)).to.deep.equal(expected, `projection of epoch ${epoch}`);
        const action = random(10);
        if (action < 7) {
          const amount = action < 4 ? expected.limit : (expected.limit * BigInt(random(101))) / 100n;
          await expect(emission.connect(minter).recordMint(epoch, amount, amount + 1n))
            .to.emit(emission, "EpochOpened")
            .withArgs(epoch, expected.budget, expected.limit, expected.annualCap, expected.mintedInWindowBefore);
          await token.connect(minter).mint(holder.address, amount);
          ledger.add(epoch, amount);
          supply += amount;
        } else if (action < 9) {
          const newBudget = BigInt(5 + random(40)) * 1_000n * TOKEN;
          await expect(emission.connect(owner).setEpochBudget(newBudget))
            .to.emit(emission, "EpochOpened")
            .withArgs(epoch, expected.budget, expected.limit, expected.annualCap, expected.mintedInWindowBefore);
          budget = newBudget;
        } else {
          const newBps = BigInt(100 + random(Number(MAX_ANNUAL_INFLATION_BPS) - 99));
          await expect(emission.connect(owner).setAnnualInflationBps(newBps))
            .to.emit(emission, "EpochOpened")
            .withArgs(epoch, expected.budget, expected.limit, expected.annualCap, expected.mintedInWindowBefore);
          bps = newBps;
        }
        openedFigures.set(epoch, expected);
        expect(await emission.mintedInTrailingYear()).to.equal(
          expected.mintedInWindowBefore + (ledger.minted.get(epoch) ?? 0n),
        );
        // Skip zero to three epochs, landing anywhere inside the next one used.
        epoch += 1n + BigInt(random(4));
        await goToEpoch(fx, epoch, BigInt(random(Number(fx.epochLength))));
      }
      expect(await token.totalSupply()).to.equal(supply);

      // Invariant 2: minted in an epoch <= its budget; minted in the epochs overlapping the
      // 365 days before an epoch's end (a superset of any 365 days ending in it) <= its cap.
      let binding = 0;
      for (const [e, opened] of openedFigures) {
        const minted = ledger.minted.get(e) ?? 0n;
        expect(minted).to.be.at.most(opened.budget);
        const overlapping = ledger.sum(firstEpochInWindow(e, fx.epochLength), e + 1n);
        expect(overlapping).to.be.at.most(opened.annualCap, `window of epoch ${e}`);
        if (opened.limit < opened.budget) binding += 1;
      }
      // The schedule did make the annual cap bind (otherwise the test proves little).
      expect(binding).to.be.greaterThan(3);
    });
  });

  describe("parameter changes", function () {
    it("applies a new budget set after a mint opened the epoch from the next epoch only", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter, owner } = fx;
      const ledger = new MintLedger(EPOCH);
      await goToEpoch(fx, 4n);
      await emission.connect(minter).recordMint(4n, 1_000n * TOKEN, 1_000n * TOKEN);
      ledger.add(4n, 1_000n * TOKEN);
      const before = await stateOf(fx, 4n);
      const newBudget = 3_000n * TOKEN;

      await goToEpoch(fx, 4n, 3n * DAY);
      const tx = emission.connect(owner).setEpochBudget(newBudget);
      await expect(tx).to.emit(emission, "EpochBudgetSet").withArgs(BUDGET, newBudget, 5n);
      await expect(tx).to.not.emit(emission, "EpochOpened");
      expect(await emission.epochBudget()).to.equal(newBudget);
      expect(await stateOf(fx, 4n)).to.deep.equal(before);
      expect(await emission.mintAllowance()).to.deep.equal([4n, BUDGET, 1_000n * TOKEN, STATIC_REWARD_SCALE]);
      // The rest of the old limit can still be minted in epoch 4, and not more.
      const rest = BUDGET - 1_000n * TOKEN;
      await expect(emission.connect(minter).recordMint(4n, rest + 1n, 0n))
        .to.be.revertedWithCustomError(emission, "EmissionControllerBudgetExceeded")
        .withArgs(rest + 1n, rest);
      await emission.connect(minter).recordMint(4n, rest, rest);
      ledger.add(4n, rest);

      const next = ledger.opening(5n, fx.genesisTime, newBudget, INFLATION_BPS, GENESIS_SUPPLY);
      expect(await stateOf(fx, 5n)).to.deep.equal(next);
      await goToEpoch(fx, 5n);
      await expect(emission.connect(minter).recordMint(5n, newBudget, newBudget))
        .to.emit(emission, "EpochOpened")
        .withArgs(5n, newBudget, next.limit, next.annualCap, next.mintedInWindowBefore);
      expect(next.limit).to.equal(newBudget);
    });

    it("opens an unopened epoch with the old budget before setting a new one", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter, owner } = fx;
      const ledger = new MintLedger(EPOCH);
      await emission.connect(minter).recordMint(0n, 2_000n * TOKEN, 2_000n * TOKEN);
      ledger.add(0n, 2_000n * TOKEN);
      await goToEpoch(fx, 3n, DAY);
      const old = ledger.opening(3n, fx.genesisTime, BUDGET, INFLATION_BPS, GENESIS_SUPPLY);
      const newBudget = 20_000n * TOKEN;

      const tx = emission.connect(owner).setEpochBudget(newBudget);
      await expect(tx)
        .to.emit(emission, "EpochOpened")
        .withArgs(3n, BUDGET, old.limit, old.annualCap, old.mintedInWindowBefore);
      await expect(tx).to.emit(emission, "EpochBudgetSet").withArgs(BUDGET, newBudget, 4n);
      expect(await stateOf(fx, 3n)).to.deep.equal(old);
      expect(await emission.mintAllowance()).to.deep.equal([3n, old.limit, 0n, STATIC_REWARD_SCALE]);
      await expect(emission.connect(minter).recordMint(3n, old.limit + 1n, 0n))
        .to.be.revertedWithCustomError(emission, "EmissionControllerBudgetExceeded")
        .withArgs(old.limit + 1n, old.limit);
      await expect(emission.connect(minter).recordMint(3n, old.limit, 0n)).to.not.emit(emission, "EpochOpened");
      ledger.add(3n, old.limit);

      // Epoch 4 opens with the new budget, the annual cap now binding.
      const next = ledger.opening(4n, fx.genesisTime, newBudget, INFLATION_BPS, GENESIS_SUPPLY);
      expect(next.limit).to.equal(annualCapOf(GENESIS_SUPPLY, INFLATION_BPS) - 2_000n * TOKEN - old.limit);
      await goToEpoch(fx, 4n);
      expect(await stateOf(fx, 4n)).to.deep.equal(next);
      await expect(emission.connect(minter).recordMint(4n, next.limit, 0n))
        .to.emit(emission, "EpochOpened")
        .withArgs(4n, newBudget, next.limit, next.annualCap, next.mintedInWindowBefore);
    });

    it("applies a new annual inflation set after a mint opened the epoch from the next epoch only", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter, owner } = fx;
      const ledger = new MintLedger(EPOCH);
      await emission.connect(minter).recordMint(0n, 1_000n * TOKEN, 1_000n * TOKEN);
      ledger.add(0n, 1_000n * TOKEN);
      const before = await stateOf(fx, 0n);
      const newBps = 50n; // a 5_000-token cap, below what epoch 0 may still mint

      const tx = emission.connect(owner).setAnnualInflationBps(newBps);
      await expect(tx).to.emit(emission, "AnnualInflationSet").withArgs(INFLATION_BPS, newBps, 1n);
      await expect(tx).to.not.emit(emission, "EpochOpened");
      expect(await emission.annualInflationBps()).to.equal(newBps);
      expect(await stateOf(fx, 0n)).to.deep.equal(before);
      // Epoch 0 keeps its limit under the old cap: it can still mint its whole budget.
      await emission.connect(minter).recordMint(0n, BUDGET - 1_000n * TOKEN, 0n);
      ledger.add(0n, BUDGET - 1_000n * TOKEN);

      // Epoch 1 opens under the new cap, which the trailing year already exceeds: limit zero.
      const next = ledger.opening(1n, fx.genesisTime, BUDGET, newBps, GENESIS_SUPPLY);
      expect(next.annualCap).to.equal(annualCapOf(GENESIS_SUPPLY, newBps));
      expect(next.limit).to.equal(0n);
      await goToEpoch(fx, 1n);
      expect(await stateOf(fx, 1n)).to.deep.equal(next);
      await expect(emission.connect(minter).recordMint(1n, 0n, 1n))
        .to.emit(emission, "EpochOpened")
        .withArgs(1n, BUDGET, 0n, next.annualCap, BUDGET);
    });

    it("opens an unopened epoch with the old annual inflation before setting a new one", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter, owner } = fx;
      const ledger = new MintLedger(EPOCH);
      await goToEpoch(fx, 2n, 5n * DAY);
      const old = ledger.opening(2n, fx.genesisTime, BUDGET, INFLATION_BPS, GENESIS_SUPPLY);
      const newBps = 50n;

      const tx = emission.connect(owner).setAnnualInflationBps(newBps);
      await expect(tx)
        .to.emit(emission, "EpochOpened")
        .withArgs(2n, BUDGET, old.limit, old.annualCap, old.mintedInWindowBefore);
      await expect(tx).to.emit(emission, "AnnualInflationSet").withArgs(INFLATION_BPS, newBps, 3n);
      expect(await stateOf(fx, 2n)).to.deep.equal(old);
      expect(old.limit).to.equal(BUDGET);
      await emission.connect(minter).recordMint(2n, 1_000n * TOKEN, 1_000n * TOKEN);
      ledger.add(2n, 1_000n * TOKEN);

      await goToEpoch(fx, 3n);
      const next = ledger.opening(3n, fx.genesisTime, BUDGET, newBps, GENESIS_SUPPLY);
      expect(next.limit).to.equal(annualCapOf(GENESIS_SUPPLY, newBps) - 1_000n * TOKEN);
      expect(await stateOf(fx, 3n)).to.deep.equal(next);
      await expect(emission.connect(minter).recordMint(3n, next.limit, 0n))
        .to.emit(emission, "EpochOpened")
        .withArgs(3n, BUDGET, next.limit, next.annualCap, next.mintedInWindowBefore);
    });

    it("rejects an annual inflation above the maximum with the numbers, and accepts the maximum", async function () {
      const { emission, owner } = await networkHelpers.loadFixture(deployEmission);
      await expect(emission.connect(owner).setAnnualInflationBps(MAX_ANNUAL_INFLATION_BPS + 1n))
        .to.be.revertedWithCustomError(emission, "EmissionControllerAnnualInflationTooHigh")
        .withArgs(MAX_ANNUAL_INFLATION_BPS + 1n, MAX_ANNUAL_INFLATION_BPS);
      expect(await emission.annualInflationBps()).to.equal(INFLATION_BPS);
      await expect(emission.connect(owner).setAnnualInflationBps(MAX_ANNUAL_INFLATION_BPS))
        .to.emit(emission, "AnnualInflationSet")
        .withArgs(INFLATION_BPS, MAX_ANNUAL_INFLATION_BPS, 1n);
    });
  });

  describe("burns", function () {
    it("burns the caller's approved tokens, records them in the current epoch and emits Burned", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { token, emission, admin } = fx;
      const supply = await token.totalSupply();
      await token.connect(admin).approve(await emission.getAddress(), 300n * TOKEN);
      const epoch = await emission.currentEpoch();
      await expect(emission.connect(admin).burn(120n * TOKEN))
        .to.emit(emission, "Burned")
        .withArgs(epoch, admin.address, 120n * TOKEN)
        .and.to.emit(token, "Transfer")
        .withArgs(admin.address, ethers.ZeroAddress, 120n * TOKEN);
      await emission.connect(admin).burn(30n * TOKEN);
      expect(await token.totalSupply()).to.equal(supply - 150n * TOKEN);
      expect((await emission.epochState(epoch)).burned).to.equal(150n * TOKEN);
      expect(await token.allowance(admin.address, await emission.getAddress())).to.equal(150n * TOKEN);
    });

    it("refuses a burn without allowance or balance, recording nothing", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { token, emission, admin, outsider } = fx;
      const epoch = await emission.currentEpoch();
      await expect(emission.connect(admin).burn(TOKEN))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(await emission.getAddress(), 0n, TOKEN);
      await token.connect(outsider).approve(await emission.getAddress(), TOKEN);
      await expect(emission.connect(outsider).burn(TOKEN))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(outsider.address, 0n, TOKEN);
      expect((await emission.epochState(epoch)).burned).to.equal(0n);
    });
  });

  describe("ownership", function () {
    it("rejects setEpochBudget from an outsider", async function () {
      const { emission, outsider } = await networkHelpers.loadFixture(deployEmission);
      await expect(emission.connect(outsider).setEpochBudget(1n))
        .to.be.revertedWithCustomError(emission, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
    });

    it("rejects setAnnualInflationBps from an outsider", async function () {
      const { emission, outsider } = await networkHelpers.loadFixture(deployEmission);
      await expect(emission.connect(outsider).setAnnualInflationBps(1n))
        .to.be.revertedWithCustomError(emission, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
    });

    it("rejects transferOwnership from an outsider", async function () {
      const { emission, outsider } = await networkHelpers.loadFixture(deployEmission);
      await expect(emission.connect(outsider).transferOwnership(outsider.address))
        .to.be.revertedWithCustomError(emission, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
    });

    it("rejects renounceOwnership from an outsider", async function () {
      const { emission, outsider } = await networkHelpers.loadFixture(deployEmission);
      await expect(emission.connect(outsider).renounceOwnership())
        .to.be.revertedWithCustomError(emission, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
    });

    it("refuses renounceOwnership from the owner", async function () {
      const { emission, owner } = await networkHelpers.loadFixture(deployEmission);
      await expect(emission.connect(owner).renounceOwnership()).to.be.revertedWithCustomError(
        emission,
        "EmissionControllerRenounceDisabled",
      );
      expect(await emission.owner()).to.equal(owner.address);
    });

    it("transfers ownership in two steps", async function () {
      const { emission, owner, holder, outsider } = await networkHelpers.loadFixture(deployEmission);
      await expect(emission.connect(owner).transferOwnership(holder.address))
        .to.emit(emission, "OwnershipTransferStarted")
        .withArgs(owner.address, holder.address);
      expect(await emission.owner()).to.equal(owner.address);
      expect(await emission.pendingOwner()).to.equal(holder.address);
      // Until accepted, the pending owner has no power.
      await expect(emission.connect(holder).setEpochBudget(1n))
        .to.be.revertedWithCustomError(emission, "OwnableUnauthorizedAccount")
        .withArgs(holder.address);
      await expect(emission.connect(outsider).acceptOwnership())
        .to.be.revertedWithCustomError(emission, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);

      await expect(emission.connect(holder).acceptOwnership())
        .to.emit(emission, "OwnershipTransferred")
        .withArgs(owner.address, holder.address);
      expect(await emission.owner()).to.equal(holder.address);
      expect(await emission.pendingOwner()).to.equal(ZeroAddress);
      await expect(emission.connect(holder).setEpochBudget(1n))
        .to.emit(emission, "EpochBudgetSet")
        .withArgs(BUDGET, 1n, 1n);
      await expect(emission.connect(owner).setEpochBudget(2n))
        .to.be.revertedWithCustomError(emission, "OwnableUnauthorizedAccount")
        .withArgs(owner.address);
    });
  });
});
