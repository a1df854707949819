import { expect } from "chai";
import { network } from "hardhat";
import type { Address } from "viem";
import { custom } from "viem";

import { createLogger } from "../../src/oracle/logger.js";
import { createOracle } from "../../src/oracle/main.js";
import type { Oracle } from "../../src/oracle/main.js";
import { TOKEN } from "../helpers/fixtures.js";
import { defaultPolicy, deployForOracle, expectedAmount, makeEvents, postAll, testConfig, waitFor } from "./helpers.js";

type Event = ReturnType<typeof makeEvents>[number];
const HOUR = 3600;

describe("oracle: epoch budget and clocks (in-process network)", function () {
  this.timeout(300_000);
  let oracle: Oracle | undefined;

  afterEach(async function () {
    await oracle?.shutdown.kill();
    oracle = undefined;
  });

  async function expectBalances(
    connection: Awaited<ReturnType<typeof network.create>>,
    token: Address,
    events: readonly Event[],
  ) {
    const policy = defaultPolicy();
    const contract = await connection.ethers.getContractAt("CreditToken", token);
    const expected = new Map<Address, bigint>();
    for (const e of events)
      expected.set(e.contributor, (expected.get(e.contributor) ?? 0n) + expectedAmount(e, policy));
    for (const [contributor, amount] of expected) expect(await contract.balanceOf(contributor)).to.equal(amount);
  }

  it("defers what does not fit the epoch budget and mints it in later epochs, each id once", async function () {
    const connection = await network.create();
    const budget = 2_000n * TOKEN;
    const deployment = await deployForOracle(connection, { epochBudget: budget, epochLength: BigInt(HOUR) });
    oracle = await createOracle({
      config: testConfig(deployment, { ORACLE_BATCH_MAX_ITEMS: "30" }),
      transport: custom(connection.provider),
      logger: createLogger({ level: "silent" }),
    });
    const events = makeEvents("budget", 90);
    const policy = defaultPolicy();
    const total = events.reduce((sum, e) => sum + expectedAmount(e, policy), 0n);
    expect(total > budget, "the events are worth more than one epoch").to.equal(true);
    await postAll(oracle.url, events);

    const settled = async () => {
      const s = await oracle!.store.countByState();
      return (s.received ?? 0) + (s.scored ?? 0) + (s.batched ?? 0) + (s.submitted ?? 0) === 0;
    };
    await waitFor(settled, 60_000, "the first epoch to settle");
    const first = await oracle.store.countByState();
    expect(first.deferred ?? 0, "some items deferred").to.be.greaterThan(0);
    const deferredRow = await oracle.store.db
      .selectFrom("contributions")
      .selectAll()
      .where("state", "=", "deferred")
      .executeTakeFirstOrThrow();
    const idBefore = deferredRow.id;

    const emission = await connection.ethers.getContractAt("EmissionController", deployment.emission);
    let epochs = 1;
    while (((await oracle.store.countByState()).confirmed ?? 0) < events.length) {
      expect(epochs, "minted within a few epochs").to.be.lessThan(10);
      await connection.networkHelpers.time.increase(HOUR);
      epochs += 1;
      const epoch = Number(await emission.currentEpoch());
      // Settled, and every deferred item was tried again in this epoch.
      await waitFor(
        async () =>
          (await settled()) &&
          (await oracle!.store.db
            .selectFrom("contributions")
            .select("id")
            .where("state", "=", "deferred")
            .where("deferred_epoch", "<", epoch)
            .executeTakeFirst()) === undefined,
        60_000,
        `epoch ${epoch}`,
      );
    }
    // The deferred item kept its id; every epoch stayed within its budget.
    const after = (await oracle.store.contributionById(idBefore))!;
    expect(after.state).to.equal("confirmed");
    expect(after.deferrals).to.be.greaterThan(0);
    const current = await emission.currentEpoch();
    const states = [];
    for (let e = 0n; e <= current; e++) states.push(await emission.epochState(e));
    for (const state of states) {
      expect(state.minted <= state.limit, `epoch ${state.epoch}: minted within its limit`).to.equal(true);
      // The pinned budget, or less where the annual cap's ceiling for a one-hour epoch is lower.
      expect(state.budget <= budget, `epoch ${state.epoch}: budget at most the pinned one`).to.equal(true);
      expect(state.limit <= state.budget, `epoch ${state.epoch}: limit within the budget`).to.equal(true);
    }
    const rewards = await connection.ethers.getContractAt("ContributionRewards", deployment.rewards);
    const logs = await rewards.queryFilter(rewards.filters.ContributionRewarded(), 0, "latest");
    expect(logs).to.have.length(events.length);
    expect(new Set(logs.map((l) => l.args.contributionId)).size).to.equal(events.length);
    // Demand above the budget lowers the reward scale of later epochs (the demand-driven
    // controller): each mint is the policy's amount times the scale of the epoch it landed in.
    const byEventId = new Map(events.map((e) => [e.eventId, e]));
    const earned = new Map<Address, bigint>();
    for (const log of logs) {
      const row = (await oracle.store.contributionById(Number(log.args.contributionId)))!;
      const event = byEventId.get(row.event_id)!;
      const block = await log.getBlock();
      const state = states.find(
        (st) => BigInt(block.timestamp) >= st.start && BigInt(block.timestamp) < st.start + st.duration,
      )!;
      expect(log.args.amount, `contribution ${row.event_id}`).to.equal(
        expectedAmount(event, policy, state.rewardScale),
      );
      earned.set(event.contributor, (earned.get(event.contributor) ?? 0n) + log.args.amount);
    }
    const token = await connection.ethers.getContractAt("CreditToken", deployment.token);
    for (const [contributor, amount] of earned) expect(await token.balanceOf(contributor)).to.equal(amount);
    expect(
      (await oracle.metrics.registry.getSingleMetric("oracle_contributions_deferred_total")?.get())?.values[0]?.value,
    ).to.be.greaterThan(0);
  });

  for (const offsetMinutes of [-10, 10]) {
    it(`a signer clock ${offsetMinutes > 0 ? "ahead" : "behind"} by 10 minutes: deadlines follow the chain, no batch expires, no retry loop`, async function () {
      const connection = await network.create();
      const deployment = await deployForOracle(connection);
      oracle = await createOracle({
        config: testConfig(deployment, {
          ORACLE_CLOCK_OFFSET_MS: String(offsetMinutes * 60_000),
          ORACLE_BATCH_DEADLINE_SECONDS: "300",
          ORACLE_BATCH_MAX_ITEMS: "20",
        }),
        transport: custom(connection.provider),
        logger: createLogger({ level: "silent" }),
      });
      // The in-process chain keeps its own clock (it may lag the wall clock): measure from it.
      const chainNow = Number((await connection.ethers.provider.getBlock("latest"))!.timestamp);
      const chainLag = Math.floor(Date.now() / 1000) - chainNow;
      const events = makeEvents(`clock${offsetMinutes}`, 60);
      await postAll(oracle.url, events);
      await waitFor(async () => ((await oracle!.store.countByState()).confirmed ?? 0) === 60, 60_000, "confirmations");
      const batches = await oracle.store.countBatchesByState();
      expect(batches.failed ?? 0, "no batch failed").to.equal(0);
      const skew =
        (await oracle.metrics.registry.getSingleMetric("oracle_clock_skew_seconds")?.get())?.values[0]?.value ?? 0;
      expect(Math.abs(skew - (offsetMinutes * 60 + chainLag))).to.be.lessThan(60);
      const chainTime = BigInt((await connection.ethers.provider.getBlock("latest"))!.timestamp);
      for (const batch of await oracle.store.batchesInState(["confirmed"])) {
        expect(BigInt(batch.deadline) > chainTime).to.equal(true);
      }
      await expectBalances(connection, deployment.token, events);
    });
  }

  it("a batch that expires before it is mined is re-signed once, after a backoff, not in a hot loop", async function () {
    const connection = await network.create();
    const deployment = await deployForOracle(connection);
    oracle = await createOracle({
      config: testConfig(deployment, {
        ORACLE_BATCH_DEADLINE_SECONDS: "300",
        ORACLE_BATCH_MAX_ITEMS: "20",
        ORACLE_REPLACE_AFTER_MS: "600000",
      }),
      transport: custom(connection.provider),
      logger: createLogger({ level: "silent" }),
    });
    await connection.provider.request({ method: "evm_setAutomine", params: [false] });
    const events = makeEvents("expire", 20);
    await postAll(oracle.url, events);
    await waitFor(
      async () => ((await oracle!.store.countBatchesByState()).submitted ?? 0) === 1,
      30_000,
      "a pending batch",
    );
    // The chain moves past the deadline and mines the transaction: it reverts (expired).
    // Past the deadline whichever clock set it (chain or local, see the deadline policy).
    const chainNow = Number((await connection.ethers.provider.getBlock("latest"))!.timestamp);
    const lead = Math.max(0, Math.floor(Date.now() / 1000) - chainNow);
    await connection.networkHelpers.time.increase(300 + lead + 120);
    await connection.provider.request({ method: "evm_setAutomine", params: [true] });
    await waitFor(
      async () => ((await oracle!.store.countByState()).confirmed ?? 0) === 20,
      60_000,
      "re-signed and minted",
    );
    const failed = await oracle.store.batchesInState(["failed"]);
    expect(failed).to.have.length(1);
    expect(["reverted", "expired_unmined"]).to.include(failed[0]!.reason);
    const batches = await oracle.store.countBatchesByState();
    expect(batches.confirmed).to.equal(1);
    await expectBalances(connection, deployment.token, events);
  });
});
