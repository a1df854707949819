import { expect } from "chai";
import { network } from "hardhat";
import type { Address } from "viem";
import { custom } from "viem";

import { createOracle } from "../../src/oracle/main.js";
import type { Oracle } from "../../src/oracle/main.js";
import { createLogger } from "../../src/oracle/logger.js";
import { CATEGORY_NAMES } from "../../src/oracle/domain/evidence.js";
import { defaultPolicy, deployForOracle, expectedAmount, makeEvents, postAll, testConfig, waitFor } from "./helpers.js";

describe("oracle: end to end on the in-process network", function () {
  let oracle: Oracle | undefined;

  afterEach(async function () {
    await oracle?.shutdown.kill();
    oracle = undefined;
  });

  it("mints 1,000 contributions across all categories exactly once, with the amounts the policies and rates say", async function () {
    const connection = await network.create();
    const deployment = await deployForOracle(connection);
    const config = testConfig(deployment);
    oracle = await createOracle({
      config,
      transport: custom(connection.provider),
      logger: createLogger({ level: "warn" }),
    });
    const events = makeEvents("e2e", 1000);
    const started = Date.now();
    const statuses = await postAll(oracle.url, events);
    expect(statuses.every((s) => s === 201)).to.equal(true);

    const store = oracle.store;
    await waitFor(async () => ((await store.countByState()).confirmed ?? 0) === 1000, 120_000, "1,000 confirmations");
    const elapsed = (Date.now() - started) / 1000;

    const policy = defaultPolicy();
    const expected = new Map<Address, bigint>();
    for (const event of events)
      expected.set(event.contributor, (expected.get(event.contributor) ?? 0n) + expectedAmount(event, policy));
    const token = await connection.ethers.getContractAt("CreditToken", deployment.token);
    for (const [contributor, amount] of expected) {
      expect(await token.balanceOf(contributor)).to.equal(amount, contributor);
    }
    // Each id exactly once: one ContributionRewarded per id, ids 1..1000.
    const rewards = await connection.ethers.getContractAt("ContributionRewards", deployment.rewards);
    const logs = await rewards.queryFilter(rewards.filters.ContributionRewarded(), 0, "latest");
    const ids = logs.map((l) => Number(l.args.contributionId)).sort((a, b) => a - b);
    expect(ids).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(new Set(events.map((e) => e.category))).to.have.length(CATEGORY_NAMES.length);
    // The database agrees with the chain.
    const rows = await store.db.selectFrom("contributions").selectAll().execute();
    for (const row of rows) {
      const event = events.find((e) => e.eventId === row.event_id)!;
      expect(row.amount).to.equal(expectedAmount(event, policy).toString());
      expect(row.tx_hash).to.match(/^0x[0-9a-f]{64}$/);
      expect(row.policy_version).to.equal(policy.version);
    }
    console.log(`      1,000 contributions confirmed in ${elapsed.toFixed(1)} s`);
  });
});
