import { expect } from "chai";
import type { Address, Hex } from "viem";

import { CRASH_POINTS } from "../../src/oracle/config/loadConfig.js";
import type { CrashPoint } from "../../src/oracle/config/loadConfig.js";
import { createDatabase } from "../../src/oracle/db/createDatabase.js";
import { createStore } from "../../src/oracle/db/createStore.js";
import {
  PLATFORM_SECRET,
  SIGNER_KEYS,
  SUBMITTER_KEY,
  defaultPolicy,
  expectedAmount,
  makeEvents,
  oracleEnv,
  postContribution,
  waitFor,
} from "./helpers.js";
import { rewardedLogCounts, startNodeHarness } from "./nodeHarness.js";
import type { NodeHarness } from "./nodeHarness.js";
import { startService } from "./service.js";

const EVENTS = 45;

/** Posts every event, retrying the ones whose request died with the process. */
async function postUntilDone(url: string, events: readonly unknown[]): Promise<{ accepted: number; failed: number }> {
  let accepted = 0;
  let failed = 0;
  for (const event of events) {
    try {
      const { status } = await postContribution(url, event);
      if (status === 201 || status === 200) accepted += 1;
    } catch {
      failed += 1; // the service died mid-request
    }
  }
  return { accepted, failed };
}

describe("oracle: crashes (kill -9 of the service process, then restart)", function () {
  this.timeout(600_000);
  let harness: NodeHarness;
  let clean: Hex;

  before(async function () {
    harness = await startNodeHarness("crash");
    clean = await harness.snapshot();
  });

  after(async function () {
    await harness?.stop();
  });

  const scenarios: { point: CrashPoint; after: number }[] = [
    ...CRASH_POINTS.map((point) => ({ point, after: 1 })),
    { point: "after-broadcast", after: 2 },
    { point: "before-confirm-record", after: 2 },
  ];

  for (const { point, after } of scenarios) {
    it(`${point}${after > 1 ? ` (hit ${after})` : ""}: every accepted contribution minted exactly once`, async function () {
      await harness.revert(clean);
      clean = await harness.snapshot();
      const label = `crash-${point}-${after}`;
      const env = oracleEnv(harness.deployment, {
        ORACLE_RPC_URL: harness.node.url,
        ORACLE_BATCH_MAX_ITEMS: "10",
        ORACLE_BATCH_MAX_WAIT_MS: "100",
      });
      const events = makeEvents(label, EVENTS);

      const first = await startService({ ...env, ORACLE_CRASH_AT: point, ORACLE_CRASH_AFTER: String(after) });
      await postUntilDone(first.url, events);
      const death = await Promise.race([
        first.exited,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000)),
      ]);
      expect(death, "the service should have killed itself").to.not.equal(undefined);
      expect(death!.signal).to.equal("SIGKILL");
      expect(
        first.logs.some((l) => l.msg === "fault injection: killing the process (SIGKILL)" && l.point === point),
      ).to.equal(true);

      // Restart on the same database; the platform re-sends what it could not confirm.
      const second = await startService(env);
      const resent = await postUntilDone(second.url, events);
      // Recovery found what the killed process left in flight.
      await waitFor(
        () => Promise.resolve(second.logs.some((l) => l.msg === "reconciling batches left by the previous run")),
        30_000,
        "recovery",
      );
      const recovery = second.logs.find((l) => l.msg === "reconciling batches left by the previous run")!;
      if (point === "after-signing" && after === 1) expect(recovery.signed).to.be.at.least(1);
      if (
        (point === "before-broadcast" || point === "after-broadcast" || point === "before-confirm-record") &&
        after === 1
      ) {
        expect(recovery.submitted).to.be.at.least(1);
      }
      expect(resent.accepted).to.equal(EVENTS);

      const database = await createDatabase({ path: env.ORACLE_DB_PATH! });
      const store = createStore({ db: database.db });
      try {
        await waitFor(
          async () => ((await store.countByState()).confirmed ?? 0) === EVENTS,
          120_000,
          "all confirmed",
          200,
        );
        const rows = await store.db.selectFrom("contributions").selectAll().orderBy("id").execute();
        expect(rows).to.have.length(EVENTS);
        expect(new Set(rows.map((r) => r.event_id)).size).to.equal(EVENTS);

        const counts = await rewardedLogCounts(harness.connection, harness.deployment.rewards);
        expect([...counts.keys()].sort((a, b) => a - b)).to.deep.equal(rows.map((r) => r.id));
        expect(
          [...counts.values()].every((n) => n === 1),
          "an id was rewarded twice",
        ).to.equal(true);

        const policy = defaultPolicy();
        const token = await harness.connection.ethers.getContractAt("CreditToken", harness.deployment.token);
        const expected = new Map<Address, bigint>();
        for (const e of events)
          expected.set(e.contributor, (expected.get(e.contributor) ?? 0n) + expectedAmount(e, policy));
        for (const [contributor, amount] of expected) expect(await token.balanceOf(contributor)).to.equal(amount);
      } finally {
        await database.close();
      }

      // A graceful stop (SIGTERM) exits 0; no secret ever reached the logs.
      const stopped = await second.stop("SIGTERM");
      expect(stopped.code).to.equal(0);
      for (const output of [first.output(), second.output()]) {
        expect(output).to.not.contain(PLATFORM_SECRET);
        for (const key of [...SIGNER_KEYS, SUBMITTER_KEY]) expect(output).to.not.contain(key.slice(2));
      }
    });
  }
});
