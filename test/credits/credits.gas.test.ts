/**
 * Gas of the credits paths, as named cases checked against the committed snapshot
 * snapshots/credits-gas.json, so that every change shows its cost in the diff (the habit of
 * Uniswap's snapshots/*.json). Steady state unless the name says otherwise: the epoch already
 * opened by an earlier burn, the payer's and the treasury's balances already non-zero.
 *
 * After a deliberate change: `UPDATE_GAS_SNAPSHOTS=1 npx hardhat test mocha test/credits/credits.gas.test.ts`.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { MaxUint256 } from "ethers";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { TierId } from "../../src/sdk/tiers.js";
import { NO_PERMIT, signBuyPremium, signPermit, signSpend, usageRef } from "../helpers/credits.js";
import { deployGovernedSystem, TEST_REWARDS, TOKEN, USD } from "../helpers/fixtures.js";

const { networkHelpers } = await network.create();
const SNAPSHOT = path.resolve("snapshots", "credits-gas.json");

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  return Number(receipt!.gasUsed);
}

describe("credits gas snapshot", function () {
  it("matches snapshots/credits-gas.json", async function () {
    const sys = await networkHelpers.loadFixture(deployGovernedSystem);
    const spender = await sys.spender.getAddress();
    const vault = await sys.vault.getAddress();
    // Fixed, so that signatures (and their calldata cost) do not depend on the wall clock.
    const deadline = 1n << 40n;
    const gas: Record<string, number> = {};

    // eve: an undelegated holder; dave: a self-delegated one (his votes move when he pays).
    await sys.token.connect(sys.eve).approve(spender, MaxUint256);
    // The first burn of an epoch opens it in the EmissionController (epoch 0 opens at deployment).
    await networkHelpers.time.increase(TEST_REWARDS.epochLength);
    gas.spend_first_burn_of_epoch = await gasOf(sys.spender.connect(sys.eve).spend(10n * TOKEN, usageRef("g1")));
    gas.spend = await gasOf(sys.spender.connect(sys.eve).spend(10n * TOKEN, usageRef("g2")));
    await sys.token.connect(sys.dave).approve(spender, MaxUint256);
    await sys.spender.connect(sys.dave).spend(TOKEN, usageRef("warm-dave"));
    gas.spend_delegated_payer = await gasOf(sys.spender.connect(sys.dave).spend(10n * TOKEN, usageRef("g3")));
    const permit = await signPermit(sys.token, sys.carol, spender, 10n * TOKEN, deadline);
    gas.spendWithPermit_delegated_payer = await gasOf(
      sys.spender.connect(sys.carol).spendWithPermit(10n * TOKEN, usageRef("g4"), permit),
    );
    const message = {
      payer: sys.eve.address,
      amount: 10n * TOKEN,
      usageRef: usageRef("g5"),
      nonce: await sys.spender.nonces(sys.eve.address),
      deadline,
    };
    gas.spendBySig_prior_allowance = await gasOf(
      sys.spender.connect(sys.outsider).spendBySig(message, await signSpend(sys.spender, sys.eve, message), NO_PERMIT),
    );

    gas.buyPremium_first = await gasOf(sys.spender.connect(sys.eve).buyPremium(TierId.plus, 1n, MaxUint256));
    gas.buyPremium_extend = await gasOf(sys.spender.connect(sys.eve).buyPremium(TierId.plus, 1n, MaxUint256));
    gas.buyPremium_upgrade = await gasOf(sys.spender.connect(sys.eve).buyPremium(TierId.pro, 1n, MaxUint256));
    const premium = {
      buyer: sys.eve.address,
      tier: TierId.pro,
      periods: 1n,
      maxCost: MaxUint256,
      nonce: await sys.spender.nonces(sys.eve.address),
      deadline,
    };
    gas.buyPremiumBySig_extend_prior_allowance = await gasOf(
      sys.spender
        .connect(sys.outsider)
        .buyPremiumBySig(premium, await signBuyPremium(sys.spender, sys.eve, premium), NO_PERMIT),
    );

    await sys.stablecoin.mint(vault, 10_000n * USD);
    await sys.token.connect(sys.eve).approve(vault, MaxUint256);
    gas.redeem_first_of_epoch_fresh_stablecoin_holder = await gasOf(
      sys.vault.connect(sys.eve).redeem(100n * TOKEN, 0n),
    );
    gas.redeem = await gasOf(sys.vault.connect(sys.eve).redeem(100n * TOKEN, 0n));
    await sys.token.connect(sys.dave).approve(vault, MaxUint256);
    await sys.vault.connect(sys.dave).redeem(TOKEN, 0n);
    gas.redeem_delegated_holder = await gasOf(sys.vault.connect(sys.dave).redeem(100n * TOKEN, 0n));

    // The token's own floor, for comparison: a plain burn by an undelegated holder.
    gas.reference_token_burn = await gasOf(sys.token.connect(sys.eve).burn(TOKEN));

    if (process.env.UPDATE_GAS_SNAPSHOTS === "1") {
      await writeFile(SNAPSHOT, `${JSON.stringify(gas, null, 2)}\n`);
      return;
    }
    const committed = JSON.parse(await readFile(SNAPSHOT, "utf8")) as Record<string, number>;
    expect(gas).to.deep.equal(committed, "gas changed: rerun with UPDATE_GAS_SNAPSHOTS=1 and commit the diff");
  });
});
