import { expect } from "chai";
import { MaxUint256 } from "ethers";
import { network } from "hardhat";
import type { Address } from "viem";
import { createPublicClient, custom, getAddress } from "viem";

import { createEntitlements, EntitlementsInputError, EntitlementsRpcError } from "../../src/sdk/entitlements.js";
import type { CreateEntitlementsParameters } from "../../src/sdk/entitlements.js";
import { DEFAULT_TIERS, PREMIUM_PERIOD, TierId } from "../../src/sdk/tiers.js";
import { usageRef } from "../helpers/credits.js";
import { deployGovernedSystem, TOKEN } from "../helpers/fixtures.js";
import type { GovernedSystem } from "../helpers/fixtures.js";

const connection = await network.create();
const { networkHelpers } = connection;

/** A viem client on the in-process network that records every RPC method it sends. */
function recordingClient() {
  const calls: string[] = [];
  const client = createPublicClient({
    transport: custom({
      request: ({ method, params }: { method: string; params?: unknown }) => {
        calls.push(method);
        return connection.provider.request({ method, params: params as unknown[] | undefined });
      },
    }),
  });
  return { client, calls };
}

/** Awaits `promise` and checks that it rejects with an instance of `type` whose message matches. */
async function expectRejection(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
  message: RegExp,
): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    expect((error as Error).message).to.match(message);
    return;
  }
  expect.fail(`expected a rejection with ${type.name}`);
}

/** A controllable wall clock, in milliseconds. */
function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

async function setUp(options: Partial<CreateEntitlementsParameters> = {}) {
  const sys = await networkHelpers.loadFixture(deployGovernedSystem);
  await (await sys.token.connect(sys.eve).approve(await sys.spender.getAddress(), MaxUint256)).wait();
  await (await sys.token.connect(sys.dave).approve(await sys.spender.getAddress(), MaxUint256)).wait();
  const { client, calls } = recordingClient();
  const clock = fakeClock();
  const entitlements = createEntitlements({
    client,
    spender: await sys.spender.getAddress(),
    now: clock.now,
    ...options,
  });
  return { sys, entitlements, calls, clock };
}

function eve(sys: GovernedSystem): Address {
  return getAddress(sys.eve.address);
}

describe("SDK: entitlements", function () {
  describe("premium", function () {
    it("reports no premium for an account that never bought, then the tier and expiry", async function () {
      const { sys, entitlements, clock } = await setUp();
      const before = await entitlements.premium(sys.eve.address);
      expect(before).to.include({ account: eve(sys), tier: 0, rank: 0, expiry: 0n, active: false });

      const tx = await sys.spender.connect(sys.eve).buyPremium(TierId.pro, 1n, MaxUint256);
      const block = await connection.ethers.provider.getBlock((await tx.wait())!.blockNumber);
      // Within the miss bound the cached "no" stands; past it, the chain is read again.
      expect((await entitlements.premium(sys.eve.address)).active).to.equal(false);
      clock.advance(1_001);
      const after = await entitlements.premium(sys.eve.address.toLowerCase());
      expect(after).to.include({
        account: eve(sys),
        tier: TierId.pro,
        rank: DEFAULT_TIERS[1]!.rank,
        expiry: BigInt(block!.timestamp) + PREMIUM_PERIOD,
        active: true,
      });
    });

    it("answers from the cache within maxAge without calling the chain, and reads again after", async function () {
      const { sys, entitlements, calls, clock } = await setUp({ maxAgeMs: 10_000 });
      await sys.spender.connect(sys.eve).buyPremium(TierId.plus, 1n, MaxUint256);
      await entitlements.premium(sys.eve.address);
      const afterFirst = calls.length;
      clock.advance(9_000);
      expect((await entitlements.premium(sys.eve.address)).active).to.equal(true);
      expect(calls.length).to.equal(afterFirst);
      clock.advance(1_001);
      await entitlements.premium(sys.eve.address);
      expect(calls.length).to.be.greaterThan(afterFirst);
    });

    it("stops counting a cached premium as active once its expiry passes on the chain's clock", async function () {
      const long = 60 * 86_400_000; // both bounds longer than the premium itself
      const { sys, entitlements, calls, clock } = await setUp({ maxAgeMs: long, missMaxAgeMs: long });
      await sys.spender.connect(sys.eve).buyPremium(TierId.plus, 1n, MaxUint256);
      const status = await entitlements.premium(sys.eve.address);
      const reads = calls.length;
      clock.advance(Number(PREMIUM_PERIOD) * 1000 - 2_000);
      expect((await entitlements.premium(sys.eve.address)).active).to.equal(true);
      clock.advance(3_000);
      const expired = await entitlements.premium(sys.eve.address);
      expect(expired).to.include({ active: false, expiry: status.expiry });
      expect(calls.length).to.equal(reads); // decided from the cached expiry, without a read
    });

    it("keeps at most maxAccounts answers, dropping the oldest", async function () {
      const { sys, entitlements, calls } = await setUp({ maxAccounts: 2 });
      await entitlements.premium(sys.alice.address);
      await entitlements.premium(sys.bob.address);
      await entitlements.premium(sys.carol.address); // alice is dropped
      const reads = calls.length;
      await entitlements.premium(sys.carol.address);
      expect(calls.length).to.equal(reads);
      await entitlements.premium(sys.alice.address);
      expect(calls.length).to.be.greaterThan(reads);
    });
  });

  describe("usage", function () {
    it("finds every payment for a usage reference: payers, amounts, burned shares, total", async function () {
      const { sys, entitlements } = await setUp();
      const ref = usageRef("session-42");
      await sys.spender.connect(sys.eve).spend(3n * TOKEN, ref);
      await sys.spender.connect(sys.dave).spend(5n * TOKEN, ref);
      await sys.spender.connect(sys.eve).spend(TOKEN, usageRef("another"));
      const usage = await entitlements.usage(ref.toUpperCase().replace("0X", "0x"));
      expect(usage.usageRef).to.equal(ref.toLowerCase());
      expect(usage.paid).to.equal(true);
      expect(usage.total).to.equal(8n * TOKEN);
      expect(usage.payments.map((p) => [p.payer, p.amount, p.burned, p.toTreasury])).to.deep.equal([
        [eve(sys), 3n * TOKEN, (3n * TOKEN) / 2n, (3n * TOKEN) / 2n],
        [getAddress(sys.dave.address), 5n * TOKEN, (5n * TOKEN) / 2n, (5n * TOKEN) / 2n],
      ]);
    });

    it("reports an unpaid reference, and sees a payment made after it once the miss bound has passed", async function () {
      const { sys, entitlements, clock } = await setUp();
      const ref = usageRef("request-9");
      expect(await entitlements.usage(ref)).to.include({ paid: false, total: 0n });
      await sys.spender.connect(sys.eve).spend(2n * TOKEN, ref);
      expect((await entitlements.usage(ref)).paid).to.equal(false); // the cached "no", at most 1 s old
      clock.advance(1_001);
      expect(await entitlements.usage(ref)).to.include({ paid: true, total: 2n * TOKEN });
    });

    it("treats a total below minTotal as a miss, so a top-up is seen within the miss bound", async function () {
      const { sys, entitlements, clock } = await setUp({ maxAgeMs: 60_000 });
      const ref = usageRef("topped-up");
      await sys.spender.connect(sys.eve).spend(TOKEN, ref);
      expect((await entitlements.usage(ref, { minTotal: 2n * TOKEN })).total).to.equal(TOKEN);
      await sys.spender.connect(sys.eve).spend(TOKEN, ref);
      clock.advance(1_001); // past the miss bound, well within maxAge
      expect((await entitlements.usage(ref)).total).to.equal(TOKEN); // enough for 1 wei: cached
      expect((await entitlements.usage(ref, { minTotal: 2n * TOKEN })).total).to.equal(2n * TOKEN);
      await expectRejection(entitlements.usage(ref, { minTotal: 0n }), EntitlementsInputError, /Invalid minTotal/);
    });

    it("reads only new blocks, once per bound, however many unknown references are asked about", async function () {
      const { entitlements, calls, clock } = await setUp();
      await entitlements.sync();
      const afterSync = calls.length;
      for (let i = 0; i < 20; i++) await entitlements.usage(usageRef(`unknown-${i}`));
      expect(calls.length).to.equal(afterSync);
      clock.advance(1_001);
      for (let i = 0; i < 20; i++) await entitlements.usage(usageRef(`unknown-again-${i}`));
      // One block-number read, no getLogs: no block was mined since.
      expect(calls.slice(afterSync)).to.deep.equal(["eth_blockNumber"]);
    });

    it("indexes history in chunks of maxBlockRange", async function () {
      const { sys, entitlements, calls } = await setUp({ maxBlockRange: 5n });
      const ref = usageRef("chunked");
      await sys.spender.connect(sys.eve).spend(TOKEN, ref);
      const head = BigInt(await connection.ethers.provider.getBlockNumber());
      const usage = await entitlements.usage(ref);
      expect(usage.paid).to.equal(true);
      expect(usage.syncedToBlock).to.equal(head);
      const getLogs = calls.filter((method) => method === "eth_getLogs").length;
      expect(getLogs).to.equal(Number((head + 1n + 4n) / 5n));
    });

    it("counts a payment only under `confirmations` blocks", async function () {
      const { sys, entitlements, clock } = await setUp({ confirmations: 2n });
      const ref = usageRef("confirmed");
      await sys.spender.connect(sys.eve).spend(TOKEN, ref);
      expect((await entitlements.usage(ref)).paid).to.equal(false);
      await networkHelpers.mine(2);
      clock.advance(1_001);
      expect((await entitlements.usage(ref)).paid).to.equal(true);
    });
  });

  describe("errors", function () {
    it("rejects an invalid account or usage reference with EntitlementsInputError", async function () {
      const { entitlements } = await setUp();
      for (const bad of ["0x1234", "not an address", `0x${"g".repeat(40)}`]) {
        await expectRejection(entitlements.premium(bad), EntitlementsInputError, /Invalid account/);
      }
      for (const bad of ["0x", `0x${"0".repeat(63)}`, `0x${"z".repeat(64)}`, "request-1"]) {
        await expectRejection(entitlements.usage(bad), EntitlementsInputError, /Invalid usageRef/);
      }
    });

    it("rejects invalid options with EntitlementsInputError listing each problem", function () {
      const { client } = recordingClient();
      try {
        createEntitlements({ client, spender: "nope", maxAgeMs: -1, maxBlockRange: 0n });
        expect.fail("expected an error");
      } catch (error) {
        expect(error).to.be.instanceOf(EntitlementsInputError);
        const { metaMessages, retryable } = error as EntitlementsInputError;
        expect(retryable).to.equal(false);
        expect(metaMessages).to.have.length(3);
        expect(metaMessages.join("\n"))
          .to.match(/spender/)
          .and.match(/maxAgeMs/)
          .and.match(/maxBlockRange/);
      }
    });

    it("wraps a failing RPC in a retryable EntitlementsRpcError", async function () {
      const client = createPublicClient({
        transport: custom(
          {
            request: () => Promise.reject(new Error("connection refused")),
          },
          { retryCount: 0 },
        ),
      });
      const entitlements = createEntitlements({ client, spender: `0x${"11".repeat(20)}` });
      await expectRejection(entitlements.usage(usageRef("x")), EntitlementsRpcError, /eth_blockNumber/);
      try {
        await entitlements.premium(`0x${"22".repeat(20)}`);
        expect.fail("expected an error");
      } catch (error) {
        expect(error).to.be.instanceOf(EntitlementsRpcError);
        expect((error as EntitlementsRpcError).retryable).to.equal(true);
        expect((error as EntitlementsRpcError).cause).to.be.instanceOf(Error);
      }
    });
  });
});
