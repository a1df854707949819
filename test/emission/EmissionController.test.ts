import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { ZeroAddress } from "ethers";
import fc from "fast-check";
import { network } from "hardhat";

import {
  ANNUAL_WINDOW,
  annualCap,
  BPS,
  ceiling,
  clamp,
  epochLimit,
  nextEpoch,
  WAD,
} from "../../src/sdk/emissionPolicy.js";
import type { Policy } from "../../src/sdk/emissionPolicy.js";
import type { CreditToken, EmissionController } from "../../types/ethers-contracts/index.js";
import { readPolicy } from "../helpers/emission.js";
import { DAY, HOUR, TOKEN } from "../helpers/fixtures.js";

type EpochStateOutput = Awaited<ReturnType<EmissionController["epochState"]>>;

const { ethers, networkHelpers } = await network.create();

const NAME = "Contribution Credit";
const SYMBOL = "CRED";
const CAP = 1_000_000_000n * TOKEN;
/** Genesis supply: 2% of it is a 2_000_000-token annual cap, an epoch's share of it ~38_356 tokens. */
const GENESIS_SUPPLY = 100_000_000n * TOKEN;
const EPOCH = 7n * DAY;
const INITIAL_BUDGET = 10_000n * TOKEN;
const YEAR = 365n * DAY;

// The hard limits in code, as the NatSpec states them.
const MAX_ANNUAL_INFLATION_BPS = 1_000n;
const MAX_STEP_BPS = 5_000n;
const MIN_REWARD_SCALE = 10n ** 16n;
const MAX_EPOCH_LENGTH = 90n * DAY;

/** The fixture's policy: budgetMax (30_000) below the annual share of an epoch (~38_356). */
const POLICY: Policy = {
  epochLength: EPOCH,
  maxBudgetStepBps: 1_250n,
  annualInflationBps: 200n,
  recycleBps: 5_000n,
  maxScaleStepBps: 2_500n,
  minRewardScale: WAD / 10n,
  budgetFloor: 1_000n * TOKEN,
  budgetMax: 30_000n * TOKEN,
};

/** The Policy struct as the positional tuple events carry. */
function policyTuple(p: Policy): bigint[] {
  return [
    p.epochLength,
    p.maxBudgetStepBps,
    p.annualInflationBps,
    p.recycleBps,
    p.maxScaleStepBps,
    p.minRewardScale,
    p.budgetFloor,
    p.budgetMax,
  ];
}

const NO_POLICY: Policy = {
  epochLength: 0n,
  maxBudgetStepBps: 0n,
  annualInflationBps: 0n,
  recycleBps: 0n,
  maxScaleStepBps: 0n,
  minRewardScale: 0n,
  budgetFloor: 0n,
  budgetMax: 0n,
};

/** The figures of an epoch, as plain values (the struct `epochState` returns). */
interface EpochFigures {
  epoch: bigint;
  start: bigint;
  length: bigint;
  base: bigint;
  budget: bigint;
  limit: bigint;
  minted: bigint;
  demand: bigint;
  burned: bigint;
  netIssuance: bigint;
  annualCap: bigint;
  mintedInWindowBefore: bigint;
  rewardScale: bigint;
  opened: boolean;
}

/** The struct `epochState` returns, as plain values (`length` here is the contract's `duration`). */
function figures(state: EpochStateOutput): EpochFigures {
  const { epoch, start, duration: length, base, budget, limit, minted, demand, burned, netIssuance } = state;
  const { annualCap: cap, mintedInWindowBefore, rewardScale, opened } = state;
  return {
    epoch,
    start,
    length,
    base,
    budget,
    limit,
    minted,
    demand,
    burned,
    netIssuance,
    annualCap: cap,
    mintedInWindowBefore,
    rewardScale,
    opened,
  };
}

/** What `epochState` reads for a past epoch that was skipped. */
function zeros(epoch: bigint): EpochFigures {
  return {
    epoch,
    start: 0n,
    length: 0n,
    base: 0n,
    budget: 0n,
    limit: 0n,
    minted: 0n,
    demand: 0n,
    burned: 0n,
    netIssuance: 0n,
    annualCap: 0n,
    mintedInWindowBefore: 0n,
    rewardScale: 0n,
    opened: false,
  };
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

// ---------------------------------------------------------------------------------------------
// The model: the policy math of src/sdk/emissionPolicy.ts (nextEpoch, annualCap, epochLimit),
// plus a ledger of the opened epochs for the trailing year, written from the NatSpec: an epoch's
// mintedInWindowBefore is what earlier epochs that overlap the 365 days before its start minted.
// ---------------------------------------------------------------------------------------------

class EmissionModel {
  /** The opened epochs, with what was minted, demanded and burned in them. */
  readonly epochs = new Map<bigint, EpochFigures>();
  last = 0n;

  constructor(
    public policy: Policy,
    public supply: bigint,
    initialBudget: bigint,
    start: bigint,
  ) {
    const cap = annualCap(policy, supply);
    const base = clamp(initialBudget, policy.budgetFloor, ceiling(policy, cap));
    this.epochs.set(0n, {
      ...zeros(0n),
      start,
      length: policy.epochLength,
      base,
      budget: base,
      limit: epochLimit(base, cap, 0n),
      annualCap: cap,
      rewardScale: WAD,
      opened: true,
    });
  }

  get lastOpened(): EpochFigures {
    return this.epochs.get(this.last)!;
  }

  /** The first second of `epoch`: as opened, or as it would open now. */
  startOf(epoch: bigint): bigint {
    const opened = this.epochs.get(epoch);
    if (opened) return opened.start;
    if (epoch <= this.last) throw new Error(`epoch ${epoch} was skipped`);
    const previous = this.lastOpened;
    return previous.start + previous.length + (epoch - this.last - 1n) * this.policy.epochLength;
  }

  /** Minted in the opened epochs that end after `start - 365 days` (and before `start`). */
  mintedInWindowBefore(start: bigint): bigint {
    let total = 0n;
    for (const e of this.epochs.values()) {
      const end = e.start + e.length;
      if (end <= start && end > start - ANNUAL_WINDOW) total += e.minted;
    }
    return total;
  }

  /** The figures `epoch` (after the last opened one) gets if it opens now. */
  opening(epoch: bigint): EpochFigures {
    const opened = this.epochs.get(epoch);
    if (opened) return opened;
    const previous = this.lastOpened;
    const skipped = epoch - this.last - 1n;
    if (skipped < 0n) throw new Error(`epoch ${epoch} is before the last opened`);
    const next = nextEpoch(this.policy, previous, this.supply, skipped);
    const cap = annualCap(this.policy, this.supply);
    const start = this.startOf(epoch);
    const mintedInWindowBefore = this.mintedInWindowBefore(start);
    return {
      ...zeros(epoch),
      start,
      length: this.policy.epochLength,
      base: next.base,
      budget: next.budget,
      limit: epochLimit(next.budget, cap, mintedInWindowBefore),
      annualCap: cap,
      mintedInWindowBefore,
      rewardScale: next.rewardScale,
      opened: true,
    };
  }

  /** The figures `projectedNextEpoch` reads while `current` is the current epoch. */
  projected(current: bigint): EpochFigures {
    return { ...this.opening(current + 1n), opened: false };
  }

  open(epoch: bigint): EpochFigures {
    const figures = this.opening(epoch);
    this.epochs.set(epoch, figures);
    this.last = epoch;
    return figures;
  }

  mint(epoch: bigint, minted: bigint, demand: bigint): void {
    const e = this.open(epoch);
    if (minted > e.limit - e.minted) throw new Error("the model refuses this mint");
    e.minted += minted;
    e.demand += demand;
    e.netIssuance += minted;
    this.supply += minted;
  }

  burn(epoch: bigint, amount: bigint): void {
    const e = this.open(epoch);
    e.burned += amount;
    e.netIssuance -= amount;
    this.supply -= amount;
  }

  setPolicy(epoch: bigint, policy: Policy): void {
    this.open(epoch);
    this.policy = policy;
  }
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

interface EmissionFixture {
  token: CreditToken;
  emission: EmissionController;
  /** The token's admin, holding the genesis supply (stands in for the timelock on the token). */
  admin: HardhatEthersSigner;
  /** An EOA holding MINTER_ROLE, calling recordMint directly (stands in for ContributionRewards). */
  minter: HardhatEthersSigner;
  /** The controller's owner (stands in for the timelock). */
  owner: HardhatEthersSigner;
  holder: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
  policy: Policy;
  initialBudget: bigint;
  /** The first second of epoch 0 (the deployment block). */
  genesis: bigint;
}

async function deployToken(): Promise<{ token: CreditToken; admin: HardhatEthersSigner }> {
  const [, admin, minter] = await ethers.getSigners();
  if (!admin || !minter) throw new Error("need 3 accounts");
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
  return { token, admin };
}

async function deployWith(policy: Policy, initialBudget: bigint): Promise<EmissionFixture> {
  const [, , minter, owner, holder, outsider] = await ethers.getSigners();
  if (!minter || !owner || !holder || !outsider) throw new Error("need 6 accounts");
  const { token, admin } = await deployToken();
  const emission = await ethers.deployContract("EmissionController", [
    await token.getAddress(),
    owner.address,
    policy,
    initialBudget,
  ]);
  const receipt = await emission.deploymentTransaction()!.wait();
  const block = await ethers.provider.getBlock(receipt!.blockNumber);
  const genesis = BigInt(block!.timestamp);
  return { token, emission, admin, minter, owner, holder, outsider, policy, initialBudget, genesis };
}

/** 7-day epochs, a 10_000-token initial budget, a 2% annual cap (2M tokens of a 100M supply). */
async function deployEmission(): Promise<EmissionFixture> {
  return deployWith(POLICY, INITIAL_BUDGET);
}

function modelOf(fx: EmissionFixture): EmissionModel {
  return new EmissionModel(fx.policy, GENESIS_SUPPLY, fx.initialBudget, fx.genesis);
}

/** Mines a block at `offset` seconds into `epoch` (the next transaction lands a second or so later). */
async function goToEpoch(model: EmissionModel, epoch: bigint, offset = 0n): Promise<void> {
  await networkHelpers.time.increaseTo(model.startOf(epoch) + offset);
}

async function stateOf(fx: EmissionFixture, epoch: bigint): Promise<EpochFigures> {
  return figures(await fx.emission.epochState(epoch));
}

async function projectedOf(fx: EmissionFixture): Promise<EpochFigures> {
  return figures(await fx.emission.projectedNextEpoch());
}

/** Records a mint as the minter, and mints the same amount on the token (as ContributionRewards does). */
async function mint(
  fx: EmissionFixture,
  model: EmissionModel,
  epoch: bigint,
  minted: bigint,
  demand: bigint,
): Promise<void> {
  await fx.emission.connect(fx.minter).recordMint(epoch, minted, demand);
  if (minted > 0n) await fx.token.connect(fx.minter).mint(fx.holder.address, minted);
  model.mint(epoch, minted, demand);
}

/** Burns `amount` of the admin's tokens through the controller. */
async function burn(fx: EmissionFixture, model: EmissionModel, epoch: bigint, amount: bigint): Promise<void> {
  await fx.token.connect(fx.admin).approve(await fx.emission.getAddress(), amount);
  await fx.emission.connect(fx.admin).burn(amount);
  model.burn(epoch, amount);
}

/** Records `demand` in `epoch` and mints what of it fits the epoch's remaining limit. */
async function demandIn(fx: EmissionFixture, model: EmissionModel, epoch: bigint, demand: bigint): Promise<bigint> {
  const e = model.opening(epoch);
  const minted = min(demand, e.limit - e.minted);
  await mint(fx, model, epoch, minted, demand);
  return minted;
}

/** Expects the contract to open `epoch` with the model's figures on its next use, and opens it. */
async function openEpoch(fx: EmissionFixture, model: EmissionModel, epoch: bigint): Promise<EpochFigures> {
  const expected = model.opening(epoch);
  // Before its first use the epoch reads as a projection: the same figures, not yet opened.
  expect(await stateOf(fx, epoch)).to.deep.equal({ ...expected, opened: false }, `projection of epoch ${epoch}`);
  await expect(fx.emission.connect(fx.minter).recordMint(epoch, 0n, 0n))
    .to.emit(fx.emission, "EpochOpened")
    .withArgs(
      epoch,
      expected.start,
      expected.budget,
      expected.limit,
      expected.rewardScale,
      expected.annualCap,
      expected.mintedInWindowBefore,
    );
  model.open(epoch);
  expect(await stateOf(fx, epoch)).to.deep.equal(expected, `opened epoch ${epoch}`);
  return expected;
}

/**
 * Deploys with `policy` and `initialBudget`, records `demand` in epoch 0 (minting what fits) and
 * burns `burned`, then opens epoch 1: returns epoch 0's and epoch 1's figures (checked against
 * the model on the way).
 */
async function afterOneEpoch(
  policy: Policy,
  initialBudget: bigint,
  demandOf: (budget: bigint) => bigint,
  burned = 0n,
): Promise<{ first: EpochFigures; second: EpochFigures; fx: EmissionFixture; model: EmissionModel }> {
  const fx = await deployWith(policy, initialBudget);
  const model = modelOf(fx);
  const first = model.opening(0n);
  expect(await stateOf(fx, 0n)).to.deep.equal(first);
  await demandIn(fx, model, 0n, demandOf(first.budget));
  if (burned > 0n) await burn(fx, model, 0n, burned);
  await goToEpoch(model, 1n);
  const second = await openEpoch(fx, model, 1n);
  return { first, second, fx, model };
}

/** An independent reading of the base rule for one epoch: base × (1 + step × d), d in [−1, 1]. */
function stepUp(base: bigint, stepBps: bigint): bigint {
  return base + (base * stepBps) / BPS;
}
function stepDown(base: bigint, stepBps: bigint): bigint {
  return (base * (BPS - stepBps)) / BPS;
}

/** The policy out of range, one parameter at a time, and the error each gives. */
const INVALID_POLICIES: { label: string; policy: Policy; parameter?: string }[] = [
  { label: "an epoch of zero", policy: { ...POLICY, epochLength: 0n }, parameter: "epochLength" },
  { label: "an epoch shorter than an hour", policy: { ...POLICY, epochLength: HOUR - 1n }, parameter: "epochLength" },
  {
    label: "an epoch longer than 90 days",
    policy: { ...POLICY, epochLength: MAX_EPOCH_LENGTH + 1n },
    parameter: "epochLength",
  },
  {
    label: "a budget step above 50%",
    policy: { ...POLICY, maxBudgetStepBps: MAX_STEP_BPS + 1n },
    parameter: "maxBudgetStepBps",
  },
  { label: "a recycle share above 100%", policy: { ...POLICY, recycleBps: BPS + 1n }, parameter: "recycleBps" },
  {
    label: "a scale step above 50%",
    policy: { ...POLICY, maxScaleStepBps: MAX_STEP_BPS + 1n },
    parameter: "maxScaleStepBps",
  },
  {
    label: "a minimum reward scale below 0.01",
    policy: { ...POLICY, minRewardScale: MIN_REWARD_SCALE - 1n },
    parameter: "minRewardScale",
  },
  {
    label: "a minimum reward scale above 1.0",
    policy: { ...POLICY, minRewardScale: WAD + 1n },
    parameter: "minRewardScale",
  },
  { label: "a zero budget floor", policy: { ...POLICY, budgetFloor: 0n }, parameter: "budgetFloor" },
  {
    label: "a budget floor above budgetMax",
    policy: { ...POLICY, budgetFloor: POLICY.budgetMax + 1n },
    parameter: "budgetFloor",
  },
  { label: "an annual inflation above 10%", policy: { ...POLICY, annualInflationBps: MAX_ANNUAL_INFLATION_BPS + 1n } },
];

/** Every parameter at the edge of its range. */
const BOUNDARY_POLICIES: Policy[] = [
  { ...POLICY, epochLength: HOUR },
  { ...POLICY, epochLength: MAX_EPOCH_LENGTH },
  {
    ...POLICY,
    maxBudgetStepBps: MAX_STEP_BPS,
    maxScaleStepBps: MAX_STEP_BPS,
    recycleBps: BPS,
    annualInflationBps: MAX_ANNUAL_INFLATION_BPS,
    minRewardScale: MIN_REWARD_SCALE,
  },
  { ...POLICY, maxBudgetStepBps: 0n, maxScaleStepBps: 0n, recycleBps: 0n, annualInflationBps: 0n, minRewardScale: WAD },
  { ...POLICY, budgetFloor: 1n, budgetMax: 1n },
];

describe("EmissionController", function () {
  describe("deployment", function () {
    it("stores the token, the owner, the policy and the hard limits, and starts epoch 0 at deployment", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { token, emission, owner } = fx;
      expect(await emission.token()).to.equal(await token.getAddress());
      expect(await emission.owner()).to.equal(owner.address);
      expect(await emission.pendingOwner()).to.equal(ZeroAddress);
      expect(await readPolicy(emission)).to.deep.equal(POLICY);
      expect(await emission.MAX_ANNUAL_INFLATION_BPS()).to.equal(MAX_ANNUAL_INFLATION_BPS);
      expect(await emission.MAX_BUDGET_STEP_BPS()).to.equal(MAX_STEP_BPS);
      expect(await emission.MAX_SCALE_STEP_BPS()).to.equal(MAX_STEP_BPS);
      expect(await emission.MIN_REWARD_SCALE()).to.equal(MIN_REWARD_SCALE);
      expect(await emission.MIN_EPOCH_LENGTH()).to.equal(HOUR);
      expect(await emission.MAX_EPOCH_LENGTH()).to.equal(MAX_EPOCH_LENGTH);
      expect(await emission.BPS()).to.equal(BPS);
      expect(await emission.WAD()).to.equal(WAD);
      expect(await emission.ANNUAL_WINDOW()).to.equal(YEAR);
      expect(await emission.currentEpoch()).to.equal(0n);
      const expected = modelOf(fx).opening(0n);
      expect(expected.start).to.equal(fx.genesis);
      expect(expected.base).to.equal(INITIAL_BUDGET);
      expect(await stateOf(fx, 0n)).to.deep.equal(expected);
      expect(await emission.mintAllowance()).to.deep.equal([0n, INITIAL_BUDGET, 0n, WAD]);
      expect(await emission.mintedInTrailingYear()).to.equal(0n);
    });

    it("emits PolicySet from epoch 0 and EpochOpened for epoch 0", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission } = fx;
      const expected = modelOf(fx).opening(0n);
      const deployment = emission.deploymentTransaction()!;
      await expect(deployment).to.emit(emission, "PolicySet").withArgs(policyTuple(NO_POLICY), policyTuple(POLICY), 0n);
      await expect(deployment)
        .to.emit(emission, "EpochOpened")
        .withArgs(0n, fx.genesis, INITIAL_BUDGET, INITIAL_BUDGET, WAD, expected.annualCap, 0n);
      expect(expected.annualCap).to.equal((GENESIS_SUPPLY * POLICY.annualInflationBps) / BPS);
    });

    it("clamps the initial budget to the floor and to the ceiling (budgetMax or the annual share)", async function () {
      const highMax = { ...POLICY, budgetMax: 10_000_000n * TOKEN };
      const cap = annualCap(POLICY, GENESIS_SUPPLY);
      const share = (cap * EPOCH) / YEAR;
      expect(share).to.be.greaterThan(POLICY.budgetMax);
      const cases = [
        { policy: POLICY, initial: 0n, base: POLICY.budgetFloor },
        { policy: POLICY, initial: POLICY.budgetFloor - 1n, base: POLICY.budgetFloor },
        { policy: POLICY, initial: POLICY.budgetMax + 1n, base: POLICY.budgetMax },
        { policy: highMax, initial: 10_000_000n * TOKEN, base: share },
      ];
      for (const c of cases) {
        const fx = await deployWith(c.policy, c.initial);
        const expected = modelOf(fx).opening(0n);
        expect(expected.base).to.equal(c.base);
        expect(expected.limit).to.equal(min(c.base, cap));
        await expect(fx.emission.deploymentTransaction())
          .to.emit(fx.emission, "EpochOpened")
          .withArgs(0n, fx.genesis, c.base, c.base, WAD, cap, 0n);
        expect(await stateOf(fx, 0n)).to.deep.equal(expected);
      }
    });

    it("rejects a zero token", async function () {
      const { owner } = await networkHelpers.loadFixture(deployEmission);
      const factory = await ethers.getContractFactory("EmissionController");
      await expect(
        ethers.deployContract("EmissionController", [ZeroAddress, owner.address, POLICY, INITIAL_BUDGET]),
      ).to.be.revertedWithCustomError(factory, "EmissionControllerInvalidConfig");
    });

    for (const c of INVALID_POLICIES) {
      it(`rejects ${c.label}`, async function () {
        const { token, owner } = await networkHelpers.loadFixture(deployEmission);
        const factory = await ethers.getContractFactory("EmissionController");
        const deployment = ethers.deployContract("EmissionController", [
          await token.getAddress(),
          owner.address,
          c.policy,
          INITIAL_BUDGET,
        ]);
        if (c.parameter) {
          await expect(deployment)
            .to.be.revertedWithCustomError(factory, "EmissionControllerInvalidPolicy")
            .withArgs(c.parameter);
        } else {
          await expect(deployment)
            .to.be.revertedWithCustomError(factory, "EmissionControllerAnnualInflationTooHigh")
            .withArgs(c.policy.annualInflationBps, MAX_ANNUAL_INFLATION_BPS);
        }
      });
    }

    it("accepts every parameter at the edge of its range", async function () {
      for (const policy of BOUNDARY_POLICIES) {
        const fx = await deployWith(policy, INITIAL_BUDGET);
        expect(await readPolicy(fx.emission)).to.deep.equal(policy);
        expect(await stateOf(fx, 0n)).to.deep.equal(modelOf(fx).opening(0n));
      }
    });
  });

  describe("epochs", function () {
    it("advances currentEpoch exactly at each epoch end, opened or not", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission } = fx;
      const model = modelOf(fx);
      for (const epoch of [0n, 1n, 2n, 3n]) {
        const end = fx.genesis + (epoch + 1n) * EPOCH;
        expect(model.startOf(epoch + 1n)).to.equal(end);
        await networkHelpers.time.increaseTo(end - 1n);
        expect(await emission.currentEpoch()).to.equal(epoch);
        await networkHelpers.time.increaseTo(end);
        expect(await emission.currentEpoch()).to.equal(epoch + 1n);
        // Opening epoch 2 (with a mint) does not move the boundaries.
        if (epoch === 1n) await mint(fx, model, 2n, TOKEN, TOKEN);
      }
      expect((await stateOf(fx, 2n)).start).to.equal(fx.genesis + 2n * EPOCH);
    });

    it("reverts epochState for a future epoch with the epoch and the current one", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission } = fx;
      await expect(emission.epochState(1n))
        .to.be.revertedWithCustomError(emission, "EmissionControllerFutureEpoch")
        .withArgs(1n, 0n);
      await goToEpoch(modelOf(fx), 3n, DAY);
      for (const future of [4n, 5n, 2n ** 256n - 1n]) {
        await expect(emission.epochState(future))
          .to.be.revertedWithCustomError(emission, "EmissionControllerFutureEpoch")
          .withArgs(future, 3n);
      }
    });

    it("reads a skipped past epoch as all zeros, not opened", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const model = modelOf(fx);
      await mint(fx, model, 0n, 1_000n * TOKEN, 1_000n * TOKEN);
      await goToEpoch(model, 4n, HOUR);
      await mint(fx, model, 4n, TOKEN, TOKEN);
      for (const skipped of [1n, 2n, 3n]) expect(await stateOf(fx, skipped)).to.deep.equal(zeros(skipped));
      expect(await stateOf(fx, 0n)).to.deep.equal(model.epochs.get(0n));
      expect(await stateOf(fx, 4n)).to.deep.equal(model.epochs.get(4n));
    });
  });

  describe("budget adjustment after one epoch", function () {
    it("keeps the base when demand equals the budget", async function () {
      const { first, second } = await afterOneEpoch(POLICY, INITIAL_BUDGET, (budget) => budget);
      expect(second.base).to.equal(first.base);
      expect(second.budget).to.equal(INITIAL_BUDGET);
    });

    it("raises the base by the full step when demand is twice the budget", async function () {
      const { first, second } = await afterOneEpoch(POLICY, INITIAL_BUDGET, (budget) => 2n * budget);
      expect(second.base).to.equal(stepUp(first.base, POLICY.maxBudgetStepBps));
      expect(second.base).to.equal(11_250n * TOKEN);
    });

    it("raises the base by the full step only when demand is five times the budget (deviation clamped at +1)", async function () {
      const { first, second } = await afterOneEpoch(POLICY, INITIAL_BUDGET, (budget) => 5n * budget);
      expect(second.base).to.equal(stepUp(first.base, POLICY.maxBudgetStepBps));
    });

    it("lowers the base by half the step when demand is half the budget, rounding the decrement up", async function () {
      // An odd budget: the exact decrement is 625 tokens + 0.125 wei, rounded up to 625 tokens + 1 wei.
      const initial = INITIAL_BUDGET + 1n;
      const { first, second } = await afterOneEpoch(POLICY, initial, (budget) => budget / 2n);
      expect(first.base).to.equal(initial);
      const unused = first.budget - first.budget / 2n;
      const exactNumerator = first.base * BPS * first.budget - first.base * POLICY.maxBudgetStepBps * unused;
      const denominator = BPS * first.budget;
      expect(exactNumerator % denominator).to.not.equal(0n);
      expect(second.base).to.equal(exactNumerator / denominator); // the result rounded down
      expect(second.base).to.equal(9_375n * TOKEN);
    });

    it("lowers the base by the full step when there is no demand", async function () {
      const { first, second } = await afterOneEpoch(POLICY, INITIAL_BUDGET, () => 0n);
      expect(second.base).to.equal(stepDown(first.base, POLICY.maxBudgetStepBps));
      expect(second.base).to.equal(8_750n * TOKEN);
    });

    it("clamps the base up to the floor", async function () {
      const policy = { ...POLICY, budgetFloor: 9_000n * TOKEN };
      const { first, second } = await afterOneEpoch(policy, INITIAL_BUDGET, () => 0n);
      expect(stepDown(first.base, policy.maxBudgetStepBps)).to.be.lessThan(policy.budgetFloor);
      expect(second.base).to.equal(policy.budgetFloor);
    });

    it("clamps the base down to the ceiling: the annual cap's share of an epoch", async function () {
      const policy = { ...POLICY, budgetMax: 10_000_000n * TOKEN };
      const { first, second, model } = await afterOneEpoch(policy, 38_000n * TOKEN, (budget) => 2n * budget);
      const share = (annualCap(policy, model.supply) * EPOCH) / YEAR;
      expect(share).to.be.lessThan(policy.budgetMax);
      expect(stepUp(first.base, policy.maxBudgetStepBps)).to.be.greaterThan(share);
      expect(second.base).to.equal(share);
      // The supply grew by the 38_000 minted in epoch 0, and the ceiling with it.
      expect(share).to.equal(((((GENESIS_SUPPLY + 38_000n * TOKEN) * 200n) / BPS) * EPOCH) / YEAR);
    });

    it("clamps the base down to budgetMax when it is below the annual share", async function () {
      const { first, second, model } = await afterOneEpoch(POLICY, 28_000n * TOKEN, (budget) => 2n * budget);
      expect((annualCap(POLICY, model.supply) * EPOCH) / YEAR).to.be.greaterThan(POLICY.budgetMax);
      expect(stepUp(first.base, POLICY.maxBudgetStepBps)).to.be.greaterThan(POLICY.budgetMax);
      expect(second.base).to.equal(POLICY.budgetMax);
    });
  });

  describe("reward scale", function () {
    it("falls to the scale that fits the demand into the next budget, within one step", async function () {
      const { first, second } = await afterOneEpoch(POLICY, INITIAL_BUDGET, (budget) => (budget * 11n) / 10n);
      const demand = (first.budget * 11n) / 10n;
      expect(second.rewardScale).to.equal((second.budget * WAD) / demand);
      expect(second.rewardScale).to.be.lessThan(WAD);
      expect(second.rewardScale).to.be.greaterThan(WAD - (WAD * POLICY.maxScaleStepBps) / BPS);
    });

    it("falls by at most one step per epoch", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const model = modelOf(fx);
      const step = (scale: bigint) => scale - (scale * POLICY.maxScaleStepBps) / BPS;
      let scale = WAD;
      for (const epoch of [0n, 1n, 2n]) {
        if (epoch > 0n) {
          await goToEpoch(model, epoch);
          const opened = await openEpoch(fx, model, epoch);
          scale = step(scale);
          expect(opened.rewardScale).to.equal(scale);
        }
        await demandIn(fx, model, epoch, 5n * model.opening(epoch).budget);
      }
      expect(scale).to.equal((WAD * 9n) / 16n); // 0.75²
    });

    it("never falls below minRewardScale", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const model = modelOf(fx);
      let previous = WAD;
      let clamped = false;
      for (let epoch = 0n; epoch < 12n; epoch += 1n) {
        if (epoch > 0n) {
          await goToEpoch(model, epoch);
          const opened = await openEpoch(fx, model, epoch);
          const unclamped = previous - (previous * POLICY.maxScaleStepBps + BPS - 1n) / BPS;
          expect(opened.rewardScale).to.equal(unclamped > POLICY.minRewardScale ? unclamped : POLICY.minRewardScale);
          if (unclamped < POLICY.minRewardScale) clamped = true;
          previous = opened.rewardScale;
        }
        await demandIn(fx, model, epoch, 6n * model.opening(epoch).budget);
      }
      expect(clamped).to.equal(true);
      expect(previous).to.equal(POLICY.minRewardScale);
    });

    it("recovers towards 1.0 by at most one step per epoch when demand is low", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const model = modelOf(fx);
      // Two epochs of five times the budget: 0.5625.
      await demandIn(fx, model, 0n, 5n * INITIAL_BUDGET);
      await goToEpoch(model, 1n);
      await demandIn(fx, model, 1n, 5n * model.opening(1n).budget);
      await goToEpoch(model, 2n);
      let scale = (await openEpoch(fx, model, 2n)).rewardScale;
      expect(scale).to.equal((WAD * 9n) / 16n);
      // Then no demand, then a tenth of the budget: up one step each, capped at 1.0.
      const demands = [0n, model.opening(2n).budget / 10n, 1n, 0n];
      const expected = [(WAD * 45n) / 64n, (WAD * 225n) / 256n, WAD, WAD];
      for (const [i, demand] of demands.entries()) {
        const epoch = 2n + BigInt(i);
        await demandIn(fx, model, epoch, demand);
        await goToEpoch(model, epoch + 1n);
        const next = (await openEpoch(fx, model, epoch + 1n)).rewardScale;
        expect(next).to.equal(min(WAD, scale + (scale * POLICY.maxScaleStepBps) / BPS));
        expect(next).to.equal(expected[i]);
        scale = next;
      }
    });

    it("stays at 1.0 while demand fits the budget", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const model = modelOf(fx);
      const shares = [100n, 90n, 0n, 100n, 50n];
      for (const [i, share] of shares.entries()) {
        const epoch = BigInt(i);
        if (epoch > 0n) {
          await goToEpoch(model, epoch);
          expect((await openEpoch(fx, model, epoch)).rewardScale).to.equal(WAD);
        }
        await demandIn(fx, model, epoch, (model.opening(epoch).budget * share) / 100n);
      }
      expect((await projectedOf(fx)).rewardScale).to.equal(WAD);
    });
  });

  describe("recycling", function () {
    it("adds recycleBps of the burns to the next budget, for one epoch only", async function () {
      const burned = 4_000n * TOKEN + 3n;
      const { first, second, fx, model } = await afterOneEpoch(POLICY, INITIAL_BUDGET, (b) => b, burned);
      const recycled = (burned * POLICY.recycleBps) / BPS;
      expect(recycled).to.equal(2_000n * TOKEN + 1n);
      expect(second.base).to.equal(first.base);
      expect(second.budget).to.equal(second.base + recycled);
      expect(second.limit).to.equal(second.budget);
      // Demand equal to the base is now below the budget (base plus recycled): the base falls.
      await demandIn(fx, model, 1n, second.base);
      await goToEpoch(model, 2n);
      const third = await openEpoch(fx, model, 2n);
      expect(third.base).to.be.lessThan(second.base);
      expect(third.budget).to.equal(third.base);
    });

    it("caps the limit at annualCap − mintedInWindowBefore when recycled burns outgrow it, and restores it after 365 days", async function () {
      const policy = { ...POLICY, recycleBps: BPS };
      const fx = await deployWith(policy, INITIAL_BUDGET);
      const model = modelOf(fx);
      const BIG_BURN = 600_000n * TOKEN;
      let capped = 0;
      let overfull = 0;
      let restored = false;
      for (let epoch = 0n; epoch < 60n; epoch += 1n) {
        if (epoch > 0n) await goToEpoch(model, epoch, HOUR);
        const expected = epoch === 0n ? model.opening(0n) : await openEpoch(fx, model, epoch);
        expect(expected.limit).to.equal(
          min(expected.budget, expected.annualCap - min(expected.annualCap, expected.mintedInWindowBefore)),
        );
        expect(await fx.emission.mintedInTrailingYear()).to.equal(expected.mintedInWindowBefore);
        if (expected.limit < expected.budget) capped += 1;
        // After the first year, the early epochs leave the window and the full budget comes back.
        if (epoch > 53n && capped > 0 && expected.limit === expected.budget) restored = true;
        // Demand twice the budget keeps the base at budgetMax; mint everything the limit allows.
        await demandIn(fx, model, epoch, 2n * expected.budget);
        if (expected.limit < expected.budget) {
          await expect(fx.emission.connect(fx.minter).recordMint(epoch, 1n, 0n))
            .to.be.revertedWithCustomError(fx.emission, "EmissionControllerBudgetExceeded")
            .withArgs(1n, 0n);
        }
        // Burn big in the first five epochs: the budgets of epochs 1 to 5 exceed 600_000.
        if (epoch < 5n) await burn(fx, model, epoch, BIG_BURN);
        // The trailing year, as the limit counts it, stays within the cap of the epoch; or, when
        // burns shrank the supply (and the cap) below what the year already minted, nothing more
        // is minted.
        const trailing = await fx.emission.mintedInTrailingYear();
        const minted = model.epochs.get(epoch)!.minted;
        expect(trailing).to.equal(expected.mintedInWindowBefore + minted);
        if (expected.mintedInWindowBefore < expected.annualCap) {
          expect(trailing).to.be.at.most(expected.annualCap, `trailing year at epoch ${epoch}`);
        } else {
          expect(minted).to.equal(0n);
          overfull += 1;
        }
      }
      // Epochs 1 to 4 minted the recycled budgets until the annual room ran out.
      const e = (n: bigint) => model.epochs.get(n)!;
      expect(e(1n).budget).to.be.greaterThan(BIG_BURN);
      expect(e(3n).limit).to.equal(e(3n).budget);
      expect(e(4n).limit).to.be.lessThan(e(4n).budget);
      expect(e(4n).limit).to.equal(e(4n).annualCap - e(4n).mintedInWindowBefore);
      expect(e(5n).limit).to.equal(0n);
      expect(capped).to.be.greaterThan(40);
      // Epoch 4's burn lowered the supply after epoch 4 minted up to its cap: from epoch 5 the
      // trailing year is above the (lower) cap, and the limit is zero.
      expect(e(5n).mintedInWindowBefore).to.be.greaterThan(e(5n).annualCap);
      expect(overfull).to.be.greaterThan(40);
      // Epoch 53 still counts epoch 0 (it ended after 365 days before epoch 53 started); epoch 54
      // does not, and from epoch 55 on the recycled epochs have left the window.
      expect(e(53n).limit).to.be.lessThan(e(53n).budget);
      expect(e(54n).mintedInWindowBefore).to.equal(e(53n).mintedInWindowBefore - e(0n).minted + e(53n).minted);
      expect(e(56n).limit).to.equal(e(56n).budget);
      expect(restored).to.equal(true);
    });

    it("reads the annual cap from the supply when the epoch opens, and keeps it for the epoch", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { minter, token, admin, holder } = fx;
      const model = modelOf(fx);
      // The supply moves before epoch 1 opens: a burn outside the controller and a mint.
      await token.connect(admin).burn(10_000_000n * TOKEN);
      await token.connect(minter).mint(holder.address, 12_345n * TOKEN);
      model.supply += 12_345n * TOKEN - 10_000_000n * TOKEN;
      await goToEpoch(model, 1n);
      expect(await token.totalSupply()).to.equal(model.supply);
      const expected = await openEpoch(fx, model, 1n);
      expect(expected.annualCap).to.equal((model.supply * POLICY.annualInflationBps) / BPS);
      // Supply changes after opening do not move the epoch's cap...
      await token.connect(minter).mint(holder.address, 50_000_000n * TOKEN);
      model.supply += 50_000_000n * TOKEN;
      expect((await stateOf(fx, 1n)).annualCap).to.equal(expected.annualCap);
      // ...but the next epoch's projection reads the new supply.
      const projected = await projectedOf(fx);
      expect(projected).to.deep.equal(model.projected(1n));
      expect(projected.annualCap).to.be.greaterThan(expected.annualCap);
    });
  });

  describe("skipped epochs", function () {
    for (const k of [1n, 7n, 500n]) {
      it(`opens only the current epoch after ${k} idle epochs, with the base and scale of ${k} idle steps`, async function () {
        const fx = await networkHelpers.loadFixture(deployEmission);
        const { emission } = fx;
        const model = modelOf(fx);
        // Epoch 0: three times the budget (the scale falls, the base rises) and some burns.
        await demandIn(fx, model, 0n, 3n * INITIAL_BUDGET);
        await burn(fx, model, 0n, 2_000n * TOKEN);
        const target = k + 1n;
        await goToEpoch(model, target, DAY);
        expect(await emission.currentEpoch()).to.equal(target);

        const last = model.epochs.get(0n)!;
        const next = nextEpoch(POLICY, last, model.supply, k);
        const first = nextEpoch(POLICY, last, model.supply);
        const top = ceiling(POLICY, annualCap(POLICY, model.supply));
        const decay = WAD - (WAD * POLICY.maxBudgetStepBps) / BPS;
        const growth = WAD + (WAD * POLICY.maxScaleStepBps) / BPS;
        // (1 − step)^k and (1 + step)^k, computed exactly; pow's WAD rounding may cost a few wei.
        if (k < 10n) {
          const base = clamp((first.base * decay ** k) / WAD ** k, POLICY.budgetFloor, top);
          expect(next.base).to.be.within(base - first.base / 10n ** 15n, base);
          expect(next.rewardScale).to.equal(min(WAD, (first.rewardScale * growth ** k) / WAD ** k));
        } else {
          expect(next.base).to.equal(POLICY.budgetFloor);
          expect(next.rewardScale).to.equal(WAD);
        }
        expect(next.budget).to.equal(next.base); // the recycled burns went to the skipped epoch 1

        const expected = model.opening(target);
        expect(expected).to.deep.include({ base: next.base, budget: next.budget, rewardScale: next.rewardScale });
        expect(expected.start).to.equal(fx.genesis + target * EPOCH);
        expect(await stateOf(fx, target)).to.deep.equal({ ...expected, opened: false });
        expect(await emission.mintAllowance()).to.deep.equal([target, expected.limit, 0n, expected.rewardScale]);

        const tx = await emission.connect(fx.minter).recordMint(target, TOKEN, TOKEN);
        const receipt = await tx.wait();
        const openedTopic = emission.interface.getEvent("EpochOpened").topicHash;
        expect(receipt!.logs.filter((log) => log.topics[0] === openedTopic)).to.have.length(1);
        await expect(tx)
          .to.emit(emission, "EpochOpened")
          .withArgs(
            target,
            expected.start,
            expected.budget,
            expected.limit,
            expected.rewardScale,
            expected.annualCap,
            expected.mintedInWindowBefore,
          );
        await fx.token.connect(fx.minter).mint(fx.holder.address, TOKEN);
        model.mint(target, TOKEN, TOKEN);
        expect(await stateOf(fx, target)).to.deep.equal(model.epochs.get(target));
        for (const skipped of [1n, k / 2n + 1n, k]) expect(await stateOf(fx, skipped)).to.deep.equal(zeros(skipped));
        // Epoch 0 weighs on the trailing year until it leaves the window.
        expect(expected.mintedInWindowBefore).to.equal(k < 52n ? last.minted : 0n);
      });
    }

    it("opens after idle epochs within rounding of the per-epoch rule applied once per idle epoch", async function () {
      // The contract (and the model) compute k idle epochs in one step, (1 − step)^k by repeated
      // squaring; the NatSpec says a skipped epoch counts as one with no demand and no burns.
      // The two differ by rounding only (a few wei, in either direction), which this bounds.
      const fx = await networkHelpers.loadFixture(deployEmission);
      const model = modelOf(fx);
      await demandIn(fx, model, 0n, 3n * INITIAL_BUDGET + 12_345n);
      const k = 7n;
      await goToEpoch(model, k + 1n, HOUR);
      const opened = await openEpoch(fx, model, k + 1n);
      let stepwise = nextEpoch(POLICY, model.epochs.get(0n)!, model.supply);
      for (let i = 0n; i < k; i += 1n)
        stepwise = nextEpoch(POLICY, { ...stepwise, demand: 0n, burned: 0n }, model.supply);
      const tolerance = stepwise.base / 10n ** 15n;
      expect(opened.base - stepwise.base).to.be.within(-tolerance, tolerance);
      expect(opened.rewardScale - stepwise.rewardScale).to.be.within(-1000n, 1000n);
    });
  });

  describe("projectedNextEpoch", function () {
    it("equals what the next epoch opens with when nothing happened in the current one", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const model = modelOf(fx);
      const projected = await projectedOf(fx);
      expect(projected).to.deep.equal(model.projected(0n));
      await goToEpoch(model, 1n, HOUR);
      const opened = await openEpoch(fx, model, 1n);
      expect({ ...projected, opened: true }).to.deep.equal(opened);
    });

    it("equals what the next epoch opens with after mints and burns in the current one", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const model = modelOf(fx);
      await mint(fx, model, 0n, 4_000n * TOKEN, 4_000n * TOKEN);
      expect(await projectedOf(fx)).to.deep.equal(model.projected(0n));
      await burn(fx, model, 0n, 3_000n * TOKEN);
      await mint(fx, model, 0n, 6_000n * TOKEN, 25_000n * TOKEN);
      const projected = await projectedOf(fx);
      expect(projected).to.deep.equal(model.projected(0n));
      expect(projected.mintedInWindowBefore).to.equal(10_000n * TOKEN);
      expect(projected.budget).to.equal(projected.base + 1_500n * TOKEN);
      expect(projected.rewardScale).to.be.lessThan(WAD);
      await goToEpoch(model, 1n, HOUR);
      const opened = await openEpoch(fx, model, 1n);
      expect({ ...projected, opened: true }).to.deep.equal(opened);
    });

    it("treats a current epoch not yet opened as idle, and equals what the next epoch opens with", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const model = modelOf(fx);
      await mint(fx, model, 0n, 8_000n * TOKEN, 30_000n * TOKEN);
      await goToEpoch(model, 3n, DAY);
      const projected = await projectedOf(fx);
      expect(projected).to.deep.equal(model.projected(3n));
      // Epoch 4 counts epochs 1 to 3 as idle.
      expect(projected).to.deep.include(nextEpoch(POLICY, model.epochs.get(0n)!, model.supply, 3n));
      expect(projected.start).to.equal(fx.genesis + 4n * EPOCH);
      await goToEpoch(model, 4n, HOUR);
      const opened = await openEpoch(fx, model, 4n);
      expect({ ...projected, opened: true }).to.deep.equal(opened);
    });
  });

  describe("policy changes", function () {
    const NEW_POLICY: Policy = {
      ...POLICY,
      maxBudgetStepBps: 5_000n,
      recycleBps: 0n,
      maxScaleStepBps: 1_000n,
      minRewardScale: WAD / 2n,
      budgetFloor: 2_000n * TOKEN,
      budgetMax: 50_000n * TOKEN,
    };

    it("applies a policy set in an epoch opened by a mint from the next epoch only", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter, owner } = fx;
      const model = modelOf(fx);
      await goToEpoch(model, 2n, HOUR);
      await mint(fx, model, 2n, 1_000n * TOKEN, 1_000n * TOKEN);
      await burn(fx, model, 2n, 1_000n * TOKEN);
      const before = await stateOf(fx, 2n);
      const underOld = model.projected(2n);

      const tx = emission.connect(owner).setPolicy(NEW_POLICY);
      await expect(tx).to.emit(emission, "PolicySet").withArgs(policyTuple(POLICY), policyTuple(NEW_POLICY), 3n);
      await expect(tx).to.not.emit(emission, "EpochOpened");
      model.setPolicy(2n, NEW_POLICY);
      expect(await readPolicy(emission)).to.deep.equal(NEW_POLICY);
      expect(await stateOf(fx, 2n)).to.deep.equal(before);
      expect(await emission.mintAllowance()).to.deep.equal([2n, before.limit, 1_000n * TOKEN, WAD]);
      // The rest of the epoch's limit can still be minted, and not more.
      const rest = before.limit - 1_000n * TOKEN;
      await expect(emission.connect(minter).recordMint(2n, rest + 1n, 0n))
        .to.be.revertedWithCustomError(emission, "EmissionControllerBudgetExceeded")
        .withArgs(rest + 1n, rest);
      await mint(fx, model, 2n, rest, 3n * before.budget);

      // Epoch 3 follows the new policy: a 50% step, no recycling, the scale down 10% at most.
      const projected = await projectedOf(fx);
      expect(projected).to.deep.equal(model.projected(2n));
      await goToEpoch(model, 3n);
      const next = await openEpoch(fx, model, 3n);
      expect(next.base).to.equal(stepUp(before.base, NEW_POLICY.maxBudgetStepBps));
      expect(next.budget).to.equal(next.base);
      expect(next.rewardScale).to.equal(WAD - WAD / 10n);
      expect(next.base).to.not.equal(underOld.base);
    });

    it("opens an epoch not yet opened under the old policy before setting a new one", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, owner } = fx;
      const model = modelOf(fx);
      await mint(fx, model, 0n, 5_000n * TOKEN, 2n * INITIAL_BUDGET);
      await goToEpoch(model, 1n, DAY);
      const old = model.opening(1n);

      const tx = emission.connect(owner).setPolicy(NEW_POLICY);
      await expect(tx)
        .to.emit(emission, "EpochOpened")
        .withArgs(1n, old.start, old.budget, old.limit, old.rewardScale, old.annualCap, old.mintedInWindowBefore);
      await expect(tx).to.emit(emission, "PolicySet").withArgs(policyTuple(POLICY), policyTuple(NEW_POLICY), 2n);
      model.setPolicy(1n, NEW_POLICY);
      expect(await stateOf(fx, 1n)).to.deep.equal(old);
      expect(old.base).to.equal(stepUp(INITIAL_BUDGET, POLICY.maxBudgetStepBps));
      expect(await emission.mintAllowance()).to.deep.equal([1n, old.limit, 0n, old.rewardScale]);

      // Epoch 1 idle: epoch 2 falls by the new policy's full step.
      await goToEpoch(model, 2n);
      const next = await openEpoch(fx, model, 2n);
      expect(next.base).to.equal(stepDown(old.base, NEW_POLICY.maxBudgetStepBps));
    });

    it("applies a new epoch length when the current epoch ends", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, owner } = fx;
      const model = modelOf(fx);
      await goToEpoch(model, 1n, 3n * DAY);
      const shorter = { ...POLICY, epochLength: DAY };
      await expect(emission.connect(owner).setPolicy(shorter))
        .to.emit(emission, "PolicySet")
        .withArgs(policyTuple(POLICY), policyTuple(shorter), 2n);
      model.setPolicy(1n, shorter);
      const end1 = fx.genesis + 2n * EPOCH;
      expect((await stateOf(fx, 1n)).length).to.equal(EPOCH);
      // Epoch 1 keeps its 7 days; epochs 2, 3, ... last one day each.
      const boundaries = [
        { time: end1 - 1n, epoch: 1n },
        { time: end1, epoch: 2n },
        { time: end1 + DAY - 1n, epoch: 2n },
        { time: end1 + DAY, epoch: 3n },
        { time: end1 + 5n * DAY + HOUR, epoch: 7n },
      ];
      for (const b of boundaries) {
        await networkHelpers.time.increaseTo(b.time);
        expect(await emission.currentEpoch()).to.equal(b.epoch, `at ${b.time - end1}s after epoch 1`);
      }
      expect(model.startOf(7n)).to.equal(end1 + 5n * DAY);
      const opened = await openEpoch(fx, model, 7n);
      expect(opened.start).to.equal(end1 + 5n * DAY);
      expect(opened.length).to.equal(DAY);
      // A longer epoch set in epoch 7 starts with epoch 8.
      const longer = { ...POLICY, epochLength: 30n * DAY };
      await emission.connect(owner).setPolicy(longer);
      model.setPolicy(7n, longer);
      const end7 = end1 + 6n * DAY;
      await networkHelpers.time.increaseTo(end7 - 1n);
      expect(await emission.currentEpoch()).to.equal(7n);
      await networkHelpers.time.increaseTo(end7 + 30n * DAY - 1n);
      expect(await emission.currentEpoch()).to.equal(8n);
      await networkHelpers.time.increaseTo(end7 + 30n * DAY);
      expect(await emission.currentEpoch()).to.equal(9n);
      expect(model.startOf(9n)).to.equal(end7 + 30n * DAY);
      expect((await openEpoch(fx, model, 9n)).length).to.equal(30n * DAY);
    });

    it("emits PolicySet with the old policy, the new one and fromEpoch = current + 1", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, owner } = fx;
      const model = modelOf(fx);
      await expect(emission.connect(owner).setPolicy(NEW_POLICY))
        .to.emit(emission, "PolicySet")
        .withArgs(policyTuple(POLICY), policyTuple(NEW_POLICY), 1n);
      await goToEpoch(model, 6n, DAY);
      const third = { ...NEW_POLICY, annualInflationBps: 500n };
      await expect(emission.connect(owner).setPolicy(third))
        .to.emit(emission, "PolicySet")
        .withArgs(policyTuple(NEW_POLICY), policyTuple(third), 7n);
      expect(await readPolicy(emission)).to.deep.equal(third);
    });

    it("rejects a policy with any parameter out of range, keeping the old one", async function () {
      const { emission, owner } = await networkHelpers.loadFixture(deployEmission);
      for (const c of INVALID_POLICIES) {
        const call = emission.connect(owner).setPolicy(c.policy);
        if (c.parameter) {
          await expect(call)
            .to.be.revertedWithCustomError(emission, "EmissionControllerInvalidPolicy")
            .withArgs(c.parameter);
        } else {
          await expect(call)
            .to.be.revertedWithCustomError(emission, "EmissionControllerAnnualInflationTooHigh")
            .withArgs(c.policy.annualInflationBps, MAX_ANNUAL_INFLATION_BPS);
        }
      }
      expect(await readPolicy(emission)).to.deep.equal(POLICY);
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
      expect(await stateOf(fx, 0n)).to.deep.equal(modelOf(fx).opening(0n));
    });

    it("rejects a mint computed for another epoch, with the expected and current epochs", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter } = fx;
      await goToEpoch(modelOf(fx), 3n);
      for (const wrong of [0n, 2n, 4n, 2n ** 255n]) {
        await expect(emission.connect(minter).recordMint(wrong, 1n, 1n))
          .to.be.revertedWithCustomError(emission, "EmissionControllerEpochMismatch")
          .withArgs(wrong, 3n);
      }
    });

    it("refuses more than the remaining limit and leaves the state unchanged", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter } = fx;
      const model = modelOf(fx);
      const first = 3_000n * TOKEN;
      await mint(fx, model, 0n, first, first);
      const before = await stateOf(fx, 0n);
      expect(before).to.deep.equal(model.epochs.get(0n));
      const remaining = before.limit - first;
      await expect(emission.connect(minter).recordMint(0n, remaining + 1n, remaining + 1n))
        .to.be.revertedWithCustomError(emission, "EmissionControllerBudgetExceeded")
        .withArgs(remaining + 1n, remaining);
      expect(await stateOf(fx, 0n)).to.deep.equal(before);
      expect(await emission.mintedInTrailingYear()).to.equal(first);
      expect(await emission.mintAllowance()).to.deep.equal([0n, before.limit, first, WAD]);
    });

    it("accepts exactly the remaining limit, then nothing more, but still records demand", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter } = fx;
      const model = modelOf(fx);
      await mint(fx, model, 0n, 3_000n * TOKEN, 3_000n * TOKEN);
      const remaining = model.epochs.get(0n)!.limit - 3_000n * TOKEN;
      await expect(emission.connect(minter).recordMint(0n, remaining, remaining))
        .to.emit(emission, "MintRecorded")
        .withArgs(0n, minter.address, remaining, remaining);
      model.mint(0n, remaining, remaining);
      await expect(emission.connect(minter).recordMint(0n, 1n, 1n))
        .to.be.revertedWithCustomError(emission, "EmissionControllerBudgetExceeded")
        .withArgs(1n, 0n);
      await emission.connect(minter).recordMint(0n, 0n, 2_000n * TOKEN);
      model.mint(0n, 0n, 2_000n * TOKEN);
      expect(await stateOf(fx, 0n)).to.deep.equal(model.epochs.get(0n));
      expect((await stateOf(fx, 0n)).minted).to.equal(INITIAL_BUDGET);
    });

    it("emits MintRecorded, accumulates minted and demand, lets demand exceed minted, and opens the epoch once", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter, token } = fx;
      const model = modelOf(fx);
      await goToEpoch(model, 2n, HOUR);
      const mints = [
        { minted: 1_000n * TOKEN, demand: 1_000n * TOKEN },
        { minted: 2_500n * TOKEN, demand: 9_000n * TOKEN },
        { minted: 0n, demand: 4_000n * TOKEN },
        { minted: 7n, demand: 0n },
      ];
      for (const [i, m] of mints.entries()) {
        const tx = emission.connect(minter).recordMint(2n, m.minted, m.demand);
        if (i === 0) await expect(tx).to.emit(emission, "EpochOpened");
        else await expect(tx).to.not.emit(emission, "EpochOpened");
        await expect(tx).to.emit(emission, "MintRecorded").withArgs(2n, minter.address, m.minted, m.demand);
        model.mint(2n, m.minted, m.demand);
        expect(await stateOf(fx, 2n)).to.deep.equal(model.epochs.get(2n));
      }
      const state = await stateOf(fx, 2n);
      expect(state.demand).to.equal(14_000n * TOKEN);
      expect(state.minted).to.equal(3_500n * TOKEN + 7n);
      expect(await emission.mintAllowance()).to.deep.equal([2n, state.limit, state.minted, state.rewardScale]);
      expect(await emission.mintedInTrailingYear()).to.equal(state.minted);
      // Recording does not mint: the supply is the minter's business.
      expect(await token.totalSupply()).to.equal(GENESIS_SUPPLY);
    });

    it("keeps an epoch unopened when its first mint is refused", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission, minter } = fx;
      const model = modelOf(fx);
      await goToEpoch(model, 1n, HOUR);
      const expected = model.opening(1n);
      await expect(emission.connect(minter).recordMint(1n, expected.limit + 1n, 0n))
        .to.be.revertedWithCustomError(emission, "EmissionControllerBudgetExceeded")
        .withArgs(expected.limit + 1n, expected.limit);
      // The opening was rolled back with the refusal: the next use opens the epoch.
      await expect(emission.connect(minter).recordMint(1n, expected.limit, expected.limit))
        .to.emit(emission, "EpochOpened")
        .withArgs(1n, expected.start, expected.budget, expected.limit, WAD, expected.annualCap, 0n);
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
        .withArgs(admin.address, ZeroAddress, 120n * TOKEN);
      await emission.connect(admin).burn(30n * TOKEN);
      expect(await token.totalSupply()).to.equal(supply - 150n * TOKEN);
      expect((await stateOf(fx, epoch)).burned).to.equal(150n * TOKEN);
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
      expect((await stateOf(fx, epoch)).burned).to.equal(0n);
    });

    it("opens the epoch on a burn and reports netIssuance = minted − burned", async function () {
      const fx = await networkHelpers.loadFixture(deployEmission);
      const { emission } = fx;
      const model = modelOf(fx);
      await mint(fx, model, 0n, 3_000n * TOKEN, 3_000n * TOKEN);
      await burn(fx, model, 0n, 1_000n * TOKEN);
      expect((await stateOf(fx, 0n)).netIssuance).to.equal(2_000n * TOKEN);
      await goToEpoch(model, 1n, HOUR);
      const expected = model.opening(1n);
      await fx.token.connect(fx.admin).approve(await emission.getAddress(), 2_000n * TOKEN);
      await expect(emission.connect(fx.admin).burn(2_000n * TOKEN))
        .to.emit(emission, "EpochOpened")
        .withArgs(
          1n,
          expected.start,
          expected.budget,
          expected.limit,
          expected.rewardScale,
          expected.annualCap,
          expected.mintedInWindowBefore,
        );
      model.burn(1n, 2_000n * TOKEN);
      await mint(fx, model, 1n, 500n * TOKEN, 500n * TOKEN);
      const state = await stateOf(fx, 1n);
      expect(state).to.deep.equal(model.epochs.get(1n));
      expect(state.netIssuance).to.equal(-1_500n * TOKEN);
      expect(state.netIssuance).to.equal(state.minted - state.burned);
      expect(await fx.token.totalSupply()).to.equal(model.supply);
    });
  });

  describe("ownership", function () {
    it("rejects setPolicy from an outsider", async function () {
      const { emission, outsider } = await networkHelpers.loadFixture(deployEmission);
      await expect(emission.connect(outsider).setPolicy(POLICY))
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
      // renounceOwnership is a view: this is an eth_call, which reverts.
      await expect(emission.connect(owner).renounceOwnership()).to.be.revertedWithCustomError(
        emission,
        "EmissionControllerRenounceDisabled",
      );
      expect(await emission.owner()).to.equal(owner.address);
    });

    it("transfers ownership in two steps", async function () {
      const { emission, owner, holder, outsider } = await networkHelpers.loadFixture(deployEmission);
      const other = { ...POLICY, recycleBps: 1n };
      await expect(emission.connect(owner).transferOwnership(holder.address))
        .to.emit(emission, "OwnershipTransferStarted")
        .withArgs(owner.address, holder.address);
      expect(await emission.owner()).to.equal(owner.address);
      expect(await emission.pendingOwner()).to.equal(holder.address);
      // Until accepted, the pending owner has no power.
      await expect(emission.connect(holder).setPolicy(other))
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
      await expect(emission.connect(holder).setPolicy(other))
        .to.emit(emission, "PolicySet")
        .withArgs(policyTuple(POLICY), policyTuple(other), 1n);
      await expect(emission.connect(owner).setPolicy(POLICY))
        .to.be.revertedWithCustomError(emission, "OwnableUnauthorizedAccount")
        .withArgs(owner.address);
    });
  });

  describe("ABI", function () {
    it("exposes every EpochState field by name to ethers", async function () {
      // The epoch's length is `duration`: a field named `length` would be shadowed by the
      // length of ethers' Result (an Array).
      const fx = await networkHelpers.loadFixture(deployEmission);
      const state = await fx.emission.epochState(0n);
      expect(state.duration).to.equal(EPOCH);
      expect(state.rewardScale).to.equal(10n ** 18n);
    });
  });

  describe("against the model (fast-check)", function () {
    const stepArbitrary = fc.record({
      gap: fc.integer({ min: 0, max: 3 }),
      offset: fc.integer({ min: 0, max: 6 * 24 }), // hours into the epoch
      demandPercent: fc.integer({ min: 0, max: 600 }), // of the epoch's budget
      mintPercent: fc.oneof(fc.constant(100), fc.integer({ min: 0, max: 100 })), // of what fits
      overshoot: fc.boolean(),
      burnTokens: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 40_000n })),
    });

    it("opens every epoch with the model's base, budget, scale and limit, and never mints past the limit", async function () {
      await fc.assert(
        fc.asyncProperty(
          fc.array(stepArbitrary, { minLength: 2, maxLength: 8 }),
          fc.boolean(),
          async (steps, highMax) => {
            const fx = await networkHelpers.loadFixture(deployEmission);
            const { emission, minter } = fx;
            const model = modelOf(fx);
            // Half of the runs let the base climb to the annual share of the cap (the ceiling).
            if (highMax) {
              const policy = { ...POLICY, budgetMax: 10_000_000n * TOKEN };
              await emission.connect(fx.owner).setPolicy(policy);
              model.setPolicy(0n, policy);
            }
            let epoch = 0n;
            for (const [i, step] of steps.entries()) {
              if (i > 0) {
                epoch += 1n + BigInt(step.gap);
                await goToEpoch(model, epoch, BigInt(step.offset) * HOUR);
              }
              const expected = model.opening(epoch);
              // An epoch not yet used reads as a projection (opened false); epoch 0 opens at deployment.
              expect(await stateOf(fx, epoch)).to.deep.equal(
                { ...expected, opened: model.epochs.has(epoch) },
                `projection of epoch ${epoch}`,
              );
              const demand = (expected.budget * BigInt(step.demandPercent)) / 100n;
              const fits = min(demand, expected.limit - expected.minted);
              const minted = (fits * BigInt(step.mintPercent)) / 100n;
              if (step.overshoot) {
                const remaining = expected.limit - expected.minted;
                await expect(emission.connect(minter).recordMint(epoch, remaining + 1n, demand))
                  .to.be.revertedWithCustomError(emission, "EmissionControllerBudgetExceeded")
                  .withArgs(remaining + 1n, remaining);
              }
              await mint(fx, model, epoch, minted, demand);
              if (step.burnTokens > 0n) await burn(fx, model, epoch, step.burnTokens * TOKEN);
              const opened = await stateOf(fx, epoch);
              expect(opened).to.deep.equal(model.epochs.get(epoch), `epoch ${epoch}`);
              expect(opened.minted).to.be.at.most(opened.limit);
              expect(await projectedOf(fx)).to.deep.equal(model.projected(epoch));
            }
            expect(await fx.token.totalSupply()).to.equal(model.supply);
            for (const [e, opened] of model.epochs) {
              expect(opened.minted).to.be.at.most(opened.limit, `minted in epoch ${e}`);
              if (opened.minted > 0n) {
                expect(opened.mintedInWindowBefore + opened.minted).to.be.at.most(opened.annualCap);
              }
            }
          },
        ),
        { numRuns: 25 },
      );
    });
  });
});
