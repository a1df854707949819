import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";
import { getAddress } from "viem";

import { DEFAULT_CATEGORIES } from "../../src/sdk/categories.js";
import type { Contribution } from "../../src/sdk/contributions.js";
import { pinBudget } from "../helpers/emission.js";
import { deployGovernedSystem, TOKEN } from "../helpers/fixtures.js";
import { impersonate } from "../helpers/impersonate.js";
import { freshAddresses, signBatch } from "../helpers/rewards.js";

const connection = await network.create();
const { networkHelpers } = connection;

const BPS = 10_000n;
const CONTRIBUTORS = freshAddresses(6, "model").map((a) => getAddress(a));

interface Outcome {
  rewarded: boolean;
  amount: bigint;
}

/**
 * The pricing and budget rules as written in ContributionRewards' NatSpec, at reward scale 1.0
 * and in a fresh epoch: amount = base * quality / 10_000; an item fits if it fits its
 * category's unused reserve plus the shared pool (limit - reserves), reserve first.
 */
function model(limit: bigint, items: readonly Contribution[]): Outcome[] {
  const totalBps = DEFAULT_CATEGORIES.reduce((sum, c) => sum + BigInt(c.reserveBps), 0n);
  let shared = limit - (limit * totalBps) / BPS;
  const left = new Map(DEFAULT_CATEGORIES.map((c) => [c.id, (limit * BigInt(c.reserveBps)) / BPS]));
  return items.map((item) => {
    const category = DEFAULT_CATEGORIES[item.category]!;
    const amount = (category.baseReward * BigInt(item.quality)) / BPS;
    const reserve = left.get(item.category)!;
    if (amount <= reserve) {
      left.set(item.category, reserve - amount);
      return { rewarded: true, amount };
    }
    if (amount - reserve > shared) return { rewarded: false, amount };
    shared -= amount - reserve;
    left.set(item.category, 0n);
    return { rewarded: true, amount };
  });
}

const itemsArbitrary = fc
  .array(
    fc.record({
      gap: fc.bigInt({ min: 1n, max: 300n }),
      contributor: fc.constantFrom(...CONTRIBUTORS),
      category: fc.integer({ min: 0, max: DEFAULT_CATEGORIES.length - 1 }),
      quality: fc.integer({ min: 1, max: 20_000 }),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((raw) => {
    let id = 0n;
    return raw.map(({ gap, contributor, category, quality }) => {
      id += gap;
      return { id, contributor, category, quality } satisfies Contribution;
    });
  });

describe("ContributionRewards against a model of its rules (fast-check)", function () {
  it("rewards exactly the items the model says fit, with the model's amounts, and defers the rest", async function () {
    await fc.assert(
      fc.asyncProperty(itemsArbitrary, fc.bigInt({ min: 1n, max: 2_000n }), async (items, budgetTokens) => {
        const sys = await networkHelpers.loadFixture(deployGovernedSystem);
        const timelock = await impersonate(connection, await sys.timelock.getAddress());
        await pinBudget(sys.emission, timelock, networkHelpers, budgetTokens * TOKEN);
        const limit = (await sys.emission.mintAllowance()).limit;
        const expected = model(limit, items);

        const batch = await signBatch(sys.rewards, items, { signers: sys.oracles.slice(0, 3) });
        const receipt = await (await sys.rewards.rewardBatch(batch.args, batch.signatures)).wait();
        const outcomes = new Map<bigint, Outcome>();
        for (const log of receipt!.logs) {
          const parsed = sys.rewards.interface.parseLog(log);
          if (parsed?.name === "ContributionRewarded" || parsed?.name === "ContributionDeferred") {
            outcomes.set(parsed.args.contributionId as bigint, {
              rewarded: parsed.name === "ContributionRewarded",
              amount: parsed.args.amount as bigint,
            });
          }
        }
        items.forEach((item, i) => expect(outcomes.get(item.id), `item ${i}`).to.deep.equal(expected[i]));
        for (const item of items) {
          expect(await sys.rewards.isRewarded(item.id)).to.equal(outcomes.get(item.id)!.rewarded);
        }
        const minted = expected.filter((o) => o.rewarded).reduce((sum, o) => sum + o.amount, 0n);
        const state = await sys.emission.epochState(await sys.emission.currentEpoch());
        expect(state.minted).to.equal(minted);
        expect(state.minted).to.be.lessThanOrEqual(state.limit);
        expect(state.demand).to.equal(expected.reduce((sum, o) => sum + o.amount, 0n));
      }),
      { numRuns: 40 },
    );
  });
});
