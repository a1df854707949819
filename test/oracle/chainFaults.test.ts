import { expect } from "chai";
import type { Address, Hash, Hex } from "viem";
import { createWalletClient, http, parseGwei } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { createLogger } from "../../src/oracle/logger.js";
import { createOracle } from "../../src/oracle/main.js";
import type { Oracle } from "../../src/oracle/main.js";
import { SUBMITTER_KEY, defaultPolicy, expectedAmount, makeEvents, postAll, testConfig, waitFor } from "./helpers.js";
import type { OracleDeployment } from "./helpers.js";
import { rewardedLogCounts, startNodeHarness } from "./nodeHarness.js";
import type { NodeHarness } from "./nodeHarness.js";
import { startProxy } from "./proxy.js";

type Event = ReturnType<typeof makeEvents>[number];

async function counter(oracle: Oracle, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await oracle.metrics.registry.getSingleMetric(name)?.get();
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}

async function states(oracle: Oracle): Promise<Record<string, number>> {
  return oracle.store.countByState();
}

/** Every event minted exactly once on the final chain, with the expected balances, and the DB agrees. */
async function expectMintedOnce(harness: NodeHarness, oracle: Oracle, events: readonly Event[]): Promise<void> {
  const rows = await oracle.store.db.selectFrom("contributions").selectAll().orderBy("id").execute();
  expect(rows.every((r) => r.state === "confirmed")).to.equal(true);
  const counts = await rewardedLogCounts(harness.connection, harness.deployment.rewards);
  for (const row of rows) expect(counts.get(row.id), `id ${row.id}`).to.equal(1);
  const policy = defaultPolicy();
  const token = await harness.connection.ethers.getContractAt("CreditToken", harness.deployment.token);
  const expected = new Map<Address, bigint>();
  for (const e of events) expected.set(e.contributor, (expected.get(e.contributor) ?? 0n) + expectedAmount(e, policy));
  for (const [contributor, amount] of expected) expect(await token.balanceOf(contributor)).to.equal(amount);
  // The recorded hash is the one mined on the final chain, at the recorded block.
  for (const batch of await oracle.store.batchesInState(["confirmed"], 1000)) {
    const receipt: unknown = await harness.connection.provider.request({
      method: "eth_getTransactionReceipt",
      params: [batch.tx_hash],
    });
    expect(receipt, `receipt of ${batch.tx_hash}`).to.not.equal(null);
    expect(BigInt((receipt as { blockNumber: Hex }).blockNumber)).to.equal(BigInt(batch.block_number!));
  }
}

async function startOracle(
  deployment: OracleDeployment,
  rpcUrl: string,
  extra: Record<string, string> = {},
): Promise<Oracle> {
  const config = testConfig(deployment, { ORACLE_RPC_URL: rpcUrl, ORACLE_RPC_TIMEOUT_MS: "2000", ...extra });
  return createOracle({ config, logger: createLogger({ level: process.env.ORACLE_TEST_LOG ?? "silent" }) });
}

describe("oracle: chain faults against a hardhat node (JSON-RPC)", function () {
  this.timeout(300_000);
  let harness: NodeHarness;
  let clean: Hex;
  let oracle: Oracle | undefined;

  before(async function () {
    harness = await startNodeHarness("faults");
    clean = await harness.snapshot();
  });

  beforeEach(async function () {
    await harness.revert(clean);
    clean = await harness.snapshot();
    await harness.rpc("evm_setAutomine", [true]);
    await harness.rpc("evm_setIntervalMining", [0]);
  });

  afterEach(async function () {
    await oracle?.shutdown.kill();
    oracle = undefined;
  });

  after(async function () {
    await harness?.stop();
  });

  it("the RPC node unreachable for 30 s mid-run: ingest continues, submission resumes, nothing lost", async function () {
    const proxy = await startProxy(harness.node.url);
    try {
      oracle = await startOracle(harness.deployment, proxy.url, { ORACLE_BATCH_MAX_ITEMS: "50" });
      const before = makeEvents("outage-a", 150);
      expect((await postAll(oracle.url, before)).every((s) => s === 201)).to.equal(true);
      await waitFor(async () => ((await states(oracle!)).confirmed ?? 0) >= 50, 60_000, "first confirmations");

      proxy.pause();
      const outageStart = Date.now();
      const during = makeEvents("outage-b", 150);
      expect(
        (await postAll(oracle.url, during)).every((s) => s === 201),
        "ingest during the outage",
      ).to.equal(true);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const confirmedDuring = (await states(oracle)).confirmed ?? 0;
      await waitFor(async () => ((await states(oracle!)).received ?? 0) === 0, 20_000, "scoring during the outage");
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 30_000 - (Date.now() - outageStart))));
      expect((await states(oracle)).confirmed ?? 0, "nothing confirmed without the node").to.equal(confirmedDuring);
      expect(await counter(oracle, "oracle_rpc_errors_total", { kind: "unreachable" })).to.be.greaterThan(0);
      proxy.resume();

      await waitFor(async () => ((await states(oracle!)).confirmed ?? 0) === 300, 120_000, "all 300 confirmed");
      await expectMintedOnce(harness, oracle, [...before, ...during]);
    } finally {
      await proxy.close();
    }
  });

  it("a stuck transaction (node not mining) is replaced with a fee bump; a dropped one is re-sent; exactly one is mined", async function () {
    await harness.rpc("evm_setAutomine", [false]);
    oracle = await startOracle(harness.deployment, harness.node.url, {
      ORACLE_REPLACE_AFTER_MS: "1000",
      ORACLE_BATCH_MAX_ITEMS: "10",
    });
    const events = makeEvents("stuck", 10);
    await postAll(oracle.url, events);
    const txsOf = () => oracle!.store.db.selectFrom("transactions").selectAll().orderBy("created_at").execute();
    await waitFor(async () => (await txsOf()).length >= 2, 30_000, "a replacement");
    let txs = await txsOf();
    expect(new Set(txs.map((t) => t.nonce)).size).to.equal(1);
    expect(BigInt(txs[1]!.max_fee_per_gas)).to.be.at.least((BigInt(txs[0]!.max_fee_per_gas) * 125n) / 100n);
    expect(BigInt(txs[1]!.max_priority_fee_per_gas)).to.be.at.least(
      (BigInt(txs[0]!.max_priority_fee_per_gas) * 125n) / 100n,
    );
    expect(await harness.rpc("eth_getTransactionByHash", [txs[0]!.hash]), "the replaced one left the mempool").to.equal(
      null,
    );

    // The node drops everything we sent: the oracle must notice, not wait on a dead hash.
    for (const tx of await txsOf()) await harness.rpc("hardhat_dropTransaction", [tx.hash]);
    const rebroadcasts = await counter(oracle, "oracle_transactions_total", { event: "rebroadcast" });
    await waitFor(
      async () => (await counter(oracle!, "oracle_transactions_total", { event: "rebroadcast" })) > rebroadcasts,
      30_000,
      "a re-broadcast",
    );
    await harness.rpc("evm_mine");
    await harness.rpc("evm_setAutomine", [true]);
    await waitFor(async () => ((await states(oracle!)).confirmed ?? 0) === 10, 30_000, "confirmation");

    txs = await txsOf();
    const receipts = await Promise.all(txs.map((t) => harness.rpc("eth_getTransactionReceipt", [t.hash])));
    const mined = txs.filter((_, i) => receipts[i] !== null);
    expect(mined, "exactly one transaction of the nonce mined").to.have.length(1);
    const [batch] = await oracle.store.batchesInState(["confirmed"]);
    expect(batch!.tx_hash).to.equal(mined[0]!.hash);
    expect(txs.find((t) => t.hash === mined[0]!.hash)!.state).to.equal("mined");
    expect(txs.filter((t) => t.state === "pending")).to.have.length(0);
    await expectMintedOnce(harness, oracle, events);
  });

  it("another process uses the submitter key: the oracle re-reads the nonce and carries on without a restart", async function () {
    oracle = await startOracle(harness.deployment, harness.node.url, { ORACLE_BATCH_MAX_ITEMS: "10" });
    const intruder = createWalletClient({
      account: privateKeyToAccount(SUBMITTER_KEY),
      transport: http(harness.node.url),
    });
    const chain = {
      id: 31337,
      name: "hardhat",
      nativeCurrency: { name: "ETH", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [harness.node.url] } },
    };
    const all: Event[] = [];

    // 1. Between batches: three transfers from the same key.
    const first = makeEvents("nonce-a", 10);
    all.push(...first);
    await postAll(oracle.url, first);
    await waitFor(async () => ((await states(oracle!)).confirmed ?? 0) === 10, 30_000, "first batch");
    for (let i = 0; i < 3; i++) await intruder.sendTransaction({ chain, to: intruder.account.address, value: 1n });

    // 2. Racing: our transaction waits in the mempool, the other process replaces it with its own.
    await harness.rpc("evm_setAutomine", [false]);
    const second = makeEvents("nonce-b", 10);
    all.push(...second);
    await postAll(oracle.url, second);
    const pendingTx = async () =>
      oracle!.store.db
        .selectFrom("transactions")
        .selectAll()
        .where("state", "=", "pending")
        .where("sent_at", "is not", null)
        .executeTakeFirst();
    await waitFor(async () => (await pendingTx()) !== undefined, 30_000, "our pending transaction");
    const ours = (await pendingTx())!;
    const fees = {
      maxFeePerGas: BigInt(ours.max_fee_per_gas) * 3n + parseGwei("1"),
      maxPriorityFeePerGas: BigInt(ours.max_priority_fee_per_gas) * 3n + parseGwei("1"),
    };
    const theirs: Hash = await intruder.sendTransaction({
      chain,
      to: intruder.account.address,
      value: 2n,
      nonce: Number(ours.nonce),
      ...fees,
    });
    await harness.rpc("evm_mine");
    await harness.rpc("evm_setAutomine", [true]);
    expect(await harness.rpc("eth_getTransactionReceipt", [theirs])).to.not.equal(null);
    await waitFor(
      async () => {
        await harness.rpc("evm_mine");
        return ((await states(oracle!)).confirmed ?? 0) === 20;
      },
      60_000,
      "the second batch after the conflict",
      250,
    );
    expect(await counter(oracle, "oracle_transactions_total", { event: "nonce_conflict" })).to.be.greaterThan(0);
    expect((await oracle.store.batchesInState(["failed"])).map((b) => b.reason)).to.include("nonce_taken");
    await expectMintedOnce(harness, oracle, all);
  });

  it("a reorg (snapshot, submit, revert) loses the receipt: the oracle notices and resubmits; each id minted once", async function () {
    oracle = await startOracle(harness.deployment, harness.node.url, {
      ORACLE_CONFIRMATIONS: "3",
      ORACLE_BATCH_MAX_ITEMS: "10",
    });
    const beforeSubmission = await harness.snapshot();
    const events = makeEvents("reorg", 10);
    await postAll(oracle.url, events);
    const sent = async () =>
      oracle!.store.db.selectFrom("transactions").selectAll().where("sent_at", "is not", null).executeTakeFirst();
    await waitFor(async () => (await sent()) !== undefined, 30_000, "a broadcast");
    const tx = (await sent())!;
    await waitFor(
      async () => (await harness.rpc("eth_getTransactionReceipt", [tx.hash])) !== null,
      30_000,
      "the receipt",
    );
    // Let the oracle see the receipt below the confirmation depth, then take the block away.
    await waitFor(
      async () => (await counter(oracle!, "oracle_batches_total", { outcome: "submitted" })) >= 1,
      10_000,
      "submitted",
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await states(oracle)).confirmed ?? 0).to.equal(0);
    await harness.revert(beforeSubmission);
    expect(await harness.rpc("eth_getTransactionReceipt", [tx.hash]), "the receipt is gone").to.equal(null);

    await waitFor(
      async () => {
        await harness.rpc("hardhat_mine", ["0x1"]);
        return ((await states(oracle!)).confirmed ?? 0) === 10;
      },
      60_000,
      "confirmation on the new chain",
      250,
    );
    const lost = await counter(oracle, "oracle_transactions_total", { event: "receipt_lost" });
    const resent = await counter(oracle, "oracle_transactions_total", { event: "rebroadcast" });
    expect(lost + resent).to.be.greaterThan(0);
    await expectMintedOnce(harness, oracle, events);
  });
});
