import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import {
  DEFAULT_POLICY,
  deploySimulation,
  playEpoch,
  scenario,
  SCENARIO_WEEKLY_DEMAND,
} from "../../scripts/lib/emission-sim.js";
import type { EpochRow } from "../../scripts/lib/emission-sim.js";
import { annualCap, ceiling, WAD } from "../../src/sdk/emissionPolicy.js";

const { networkHelpers } = await network.create();
const TOKEN = 10n ** 18n;
const YEAR = 365n * 86_400n;

async function simulation(connection: NetworkConnection) {
  return deploySimulation(connection);
}

/** The properties every scenario must keep, epoch by epoch. */
function expectWithinPolicy(rows: EpochRow[]) {
  for (const row of rows) {
    expect(row.minted, `epoch ${row.epoch}: minted <= limit`).to.be.lessThanOrEqual(row.limit);
    expect(row.limit, `epoch ${row.epoch}: limit <= budget`).to.be.lessThanOrEqual(row.budget);
    // Whenever something is minted, the trailing year stays within the cap in force. (Burns can
    // lower the cap below what the window already holds; then nothing is minted until enough
    // leaves the window.)
    if (row.minted > 0n) {
      expect(row.mintedInTrailingYear, `epoch ${row.epoch}: trailing year <= cap`).to.be.lessThanOrEqual(row.annualCap);
    }
    expect(row.rewardScale).to.be.greaterThanOrEqual(DEFAULT_POLICY.minRewardScale);
    expect(row.rewardScale).to.be.lessThanOrEqual(WAD);
  }
}

describe("EmissionController scenarios (52 weeks on the real contract)", function () {
  it("steady demand: the budget and the scale stay where they are", async function () {
    const sim = await networkHelpers.loadFixture(simulation);
    const rows: EpochRow[] = [];
    for (const input of scenario("steady", 12)) rows.push(await playEpoch(sim, input));
    expectWithinPolicy(rows);
    for (const row of rows) {
      expect(row.budget).to.equal(SCENARIO_WEEKLY_DEMAND);
      expect(row.rewardScale).to.equal(WAD);
      expect(row.minted).to.equal(SCENARIO_WEEKLY_DEMAND);
    }
  });

  it("influx, 5x demand for 10 weeks: the budget climbs to the ceiling, the scale falls, no epoch over budget", async function () {
    const sim = await networkHelpers.loadFixture(simulation);
    const rows: EpochRow[] = [];
    for (const input of scenario("influx", 26)) rows.push(await playEpoch(sim, input));
    expectWithinPolicy(rows);
    const influx = rows.slice(8, 18);
    // The budget rises by at most 12.5% an epoch and reaches the ceiling the 2% cap allows.
    for (let i = 9; i < 18; i++) {
      expect(rows[i]!.budget).to.be.greaterThanOrEqual(rows[i - 1]!.budget);
      expect(rows[i]!.budget * 10_000n).to.be.lessThanOrEqual(rows[i - 1]!.budget * 11_250n);
    }
    const top = ceiling(DEFAULT_POLICY, annualCap(DEFAULT_POLICY, rows[17]!.supply));
    expect(rows[17]!.budget).to.be.greaterThanOrEqual((top * 99n) / 100n);
    // The scale moves by at most 25% an epoch (smooth), falling while demand outruns the budget.
    for (let i = 1; i < rows.length; i++) {
      const [previous, current] = [rows[i - 1]!.rewardScale, rows[i]!.rewardScale];
      expect(current * 10_000n).to.be.greaterThanOrEqual(previous * 7_500n - 10_000n);
      expect(current * 10_000n).to.be.lessThanOrEqual(previous * 12_500n);
    }
    for (let i = 9; i < 13; i++) expect(rows[i]!.rewardScale).to.be.lessThan(rows[i - 1]!.rewardScale);
    // By the end of the influx, expected demand (priced at the lowered scale) fits the budget:
    // everything attested is minted, at about 0.41 of the base rewards.
    const last = influx[influx.length - 1]!;
    expect(last.rewardScale).to.be.lessThan(WAD / 2n);
    expect(last.demand).to.be.lessThanOrEqual((last.budget * 101n) / 100n);
    expect(last.minted).to.equal(last.demand);
    // After the influx the scale recovers towards 1.0.
    expect(rows[25]!.rewardScale).to.be.greaterThan(rows[18]!.rewardScale);
  });

  it("drought, no demand: the budget decays to its floor and the scale recovers to 1.0", async function () {
    const sim = await networkHelpers.loadFixture(simulation);
    const rows: EpochRow[] = [];
    for (const input of scenario("drought", 30)) rows.push(await playEpoch(sim, input));
    expectWithinPolicy(rows);
    for (let i = 5; i < rows.length; i++) expect(rows[i]!.budget).to.be.lessThanOrEqual(rows[i - 1]!.budget);
    expect(rows[rows.length - 1]!.budget).to.equal(DEFAULT_POLICY.budgetFloor);
    expect(rows[rows.length - 1]!.rewardScale).to.equal(WAD);
    expect(rows[rows.length - 1]!.minted).to.equal(0n);
  });

  it("burn-heavy: recycling raises the budget but never lets minting pass the annual cap", async function () {
    const sim = await networkHelpers.loadFixture(simulation);
    const rows: EpochRow[] = [];
    for (const input of scenario("burn-heavy", 60)) rows.push(await playEpoch(sim, input));
    expectWithinPolicy(rows);
    // Recycled burns lift budgets above the ceiling the cap allows a plain budget...
    const top = ceiling(DEFAULT_POLICY, annualCap(DEFAULT_POLICY, rows[0]!.supply));
    expect(rows.some((row) => row.budget > top)).to.equal(true);
    // ...but minting over the trailing year stays within the cap, which ends up binding.
    expect(rows.some((row) => row.limit < row.budget)).to.equal(true);
    // Net issuance is negative: more burned than minted.
    const minted = rows.reduce((sum, row) => sum + row.minted, 0n);
    const burned = rows.reduce((sum, row) => sum + row.burned, 0n);
    expect(burned).to.be.greaterThan(minted);
  });

  it("many skipped epochs, then one call: the budget is at its floor and the scale at 1.0", async function () {
    const sim = await networkHelpers.loadFixture(simulation);
    for (const input of scenario("influx", 12)) await playEpoch(sim, input);
    await networkHelpers.time.increase(40n * DEFAULT_POLICY.epochLength);
    const row = await playEpoch(sim, { demand: 10n * TOKEN, burned: 0n });
    expect(row.epoch).to.equal(52n);
    expect(row.budget).to.equal(DEFAULT_POLICY.budgetFloor);
    expect(row.rewardScale).to.equal(WAD);
    const skipped = await sim.emission.epochState(30n);
    expect(skipped.opened).to.equal(false);
    expect(skipped.minted).to.equal(0n);
    // A year (and an epoch: the window counts whole epochs) later, nothing is in the window.
    await networkHelpers.time.increase(YEAR + DEFAULT_POLICY.epochLength);
    const later = await playEpoch(sim, { demand: 0n, burned: 0n });
    expect(later.mintedInTrailingYear).to.equal(0n);
  });
});
