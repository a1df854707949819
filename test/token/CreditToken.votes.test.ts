import { expect } from "chai";
import { Signature, ZeroAddress } from "ethers";
import { network } from "hardhat";

import { creditTokenDomain, delegationTypes, ethersTypes } from "../../src/sdk/eip712.js";
import { deployGovernedSystem, GENESIS, TOKEN } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

describe("CreditToken votes (ERC-5805 on a timestamp clock)", function () {
  it("uses block timestamps as its ERC-6372 clock", async function () {
    const { token } = await networkHelpers.loadFixture(deployGovernedSystem);
    expect(await token.CLOCK_MODE()).to.equal("mode=timestamp");
    expect(await token.clock()).to.equal(BigInt(await time.latest()));
    await time.increase(1000);
    expect(await token.clock()).to.equal(BigInt(await time.latest()));
  });

  it("gives an undelegated holder no votes", async function () {
    const { token, eve } = await networkHelpers.loadFixture(deployGovernedSystem);
    expect(await token.balanceOf(eve.address)).to.equal(GENESIS.eve);
    expect(await token.delegates(eve.address)).to.equal(ZeroAddress);
    expect(await token.getVotes(eve.address)).to.equal(0n);
  });

  it("delegation moves votes and emits DelegateChanged and DelegateVotesChanged", async function () {
    const { token, eve, bob } = await networkHelpers.loadFixture(deployGovernedSystem);
    await expect(token.connect(eve).delegate(bob.address))
      .to.emit(token, "DelegateChanged")
      .withArgs(eve.address, ZeroAddress, bob.address)
      .and.to.emit(token, "DelegateVotesChanged")
      .withArgs(bob.address, GENESIS.bob, GENESIS.bob + GENESIS.eve);
    expect(await token.getVotes(bob.address)).to.equal(GENESIS.bob + GENESIS.eve);
    expect(await token.getVotes(eve.address)).to.equal(0n);

    // Re-delegating moves the whole weight; the previous delegate loses it.
    await token.connect(eve).delegate(eve.address);
    expect(await token.getVotes(bob.address)).to.equal(GENESIS.bob);
    expect(await token.getVotes(eve.address)).to.equal(GENESIS.eve);
  });

  it("transfers move votes between delegates, not to undelegated receivers", async function () {
    const { token, alice, eve } = await networkHelpers.loadFixture(deployGovernedSystem);
    await token.connect(alice).transfer(eve.address, 1_000n * TOKEN);
    expect(await token.getVotes(alice.address)).to.equal(GENESIS.alice - 1_000n * TOKEN);
    expect(await token.getVotes(eve.address)).to.equal(0n);
  });

  it("records a checkpoint per timestamp and answers getPastVotes at past timestamps", async function () {
    const { token, alice, bob } = await networkHelpers.loadFixture(deployGovernedSystem);
    const before = await token.numCheckpoints(bob.address);

    await time.increase(100);
    await token.connect(alice).transfer(bob.address, 10n * TOKEN);
    const t1 = BigInt(await time.latest());
    await time.increase(100);
    await token.connect(alice).transfer(bob.address, 20n * TOKEN);
    const t2 = BigInt(await time.latest());
    await time.increase(100);
    await token.connect(bob).transfer(alice.address, 5n * TOKEN);
    const t3 = BigInt(await time.latest());
    await time.increase(100);

    expect(await token.numCheckpoints(bob.address)).to.equal(before + 3n);
    const last = await token.checkpoints(bob.address, Number(before + 2n));
    expect(last._key).to.equal(t3);
    expect(last._value).to.equal(GENESIS.bob + 25n * TOKEN);

    expect(await token.getPastVotes(bob.address, t1 - 1n)).to.equal(GENESIS.bob);
    expect(await token.getPastVotes(bob.address, t1)).to.equal(GENESIS.bob + 10n * TOKEN);
    expect(await token.getPastVotes(bob.address, t2 - 1n)).to.equal(GENESIS.bob + 10n * TOKEN);
    expect(await token.getPastVotes(bob.address, t2)).to.equal(GENESIS.bob + 30n * TOKEN);
    expect(await token.getPastVotes(bob.address, t3)).to.equal(GENESIS.bob + 25n * TOKEN);
    expect(await token.getPastVotes(alice.address, t1)).to.equal(GENESIS.alice - 10n * TOKEN);
  });

  it("tracks the past total supply across a burn", async function () {
    const { token, alice } = await networkHelpers.loadFixture(deployGovernedSystem);
    const supply = await token.totalSupply();
    await time.increase(10);
    await token.connect(alice).burn(TOKEN);
    const t = BigInt(await time.latest());
    await time.increase(10);
    expect(await token.getPastTotalSupply(t - 1n)).to.equal(supply);
    expect(await token.getPastTotalSupply(t)).to.equal(supply - TOKEN);
  });

  it("rejects lookups at the current or a future timestamp", async function () {
    const { token, alice } = await networkHelpers.loadFixture(deployGovernedSystem);
    const now = await token.clock();
    await expect(token.getPastVotes(alice.address, now + 10n))
      .to.be.revertedWithCustomError(token, "ERC5805FutureLookup")
      .withArgs(now + 10n, now);
    await expect(token.getPastTotalSupply(now + 10n)).to.be.revertedWithCustomError(token, "ERC5805FutureLookup");
  });

  it("accepts delegation by an EIP-712 signature and rejects its replay", async function () {
    const { token, eve, carol } = await networkHelpers.loadFixture(deployGovernedSystem);
    const { chainId } = await ethers.provider.getNetwork();
    const domain = creditTokenDomain({
      name: await token.name(),
      chainId,
      token: (await token.getAddress()) as `0x${string}`,
    });
    const expiry = BigInt(await time.latest()) + 3600n;
    const nonce = await token.nonces(eve.address);
    const sig = Signature.from(
      await eve.signTypedData(domain, ethersTypes(delegationTypes), { delegatee: carol.address, nonce, expiry }),
    );
    await expect(token.connect(carol).delegateBySig(carol.address, nonce, expiry, sig.v, sig.r, sig.s))
      .to.emit(token, "DelegateChanged")
      .withArgs(eve.address, ZeroAddress, carol.address);
    expect(await token.getVotes(carol.address)).to.equal(GENESIS.carol + GENESIS.eve);
    await expect(token.delegateBySig(carol.address, nonce, expiry, sig.v, sig.r, sig.s))
      .to.be.revertedWithCustomError(token, "InvalidAccountNonce")
      .withArgs(eve.address, nonce + 1n);
  });
});
