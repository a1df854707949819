/**
 * `npm run bench`: gas per rewarded contribution, measured on Hardhat's in-process network
 * against the references a team would otherwise pick, all in the same run:
 *
 * - ContributionRewards.rewardBatch for batches of 1, 10, 100 and 500, signed 1-of-5 and 3-of-5,
 *   to fresh holders, existing undelegated holders and existing self-delegated holders, in
 *   steady state (the epoch already opened by an earlier batch);
 * - a plain OpenZeppelin ERC20 `mint` per contribution (the floor-side reference) and one
 *   CreditToken (ERC20Votes) `mint` per contribution;
 * - EAS `multiAttest` per attestation (compiled EAS from npm, bench/references);
 * - Uniswap MerkleDistributor `claim` (its npm build JSON);
 * - the largest batch that fits one transaction under EIP-7825's 16,777,216 gas cap.
 *
 * Figures, not assertions: prints a table and writes bench/results/gas.json (flat, named cases).
 */
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

import Table from "cli-table3";
import { ContractFactory, Signature, solidityPackedKeccak256 } from "ethers";
import type { BaseContract, ContractTransactionResponse, InterfaceAbi } from "ethers";
import { network } from "hardhat";
import { MerkleTree } from "merkletreejs";
import type { LocalAccount } from "viem";
import { getAddress, keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import CreditSystemModule from "../ignition/modules/CreditSystem.js";
import { CategoryId } from "../src/sdk/categories.js";
import type { Contribution } from "../src/sdk/contributions.js";
import { contributionRewardsDomain, creditTokenDomain, delegationTypes } from "../src/sdk/eip712.js";
import { signRewardBatch } from "../src/sdk/signRewardBatch.js";
import type { ContributionRewards, CreditToken } from "../types/ethers-contracts/index.js";

const require = createRequire(import.meta.url);
const TOKEN = 10n ** 18n;
const TX_GAS_CAP = 16_777_216n;
const BATCH_SIZES = [1, 10, 100, 500] as const;
/** Holders are prepared in batches small enough to fit the gas cap as fresh holders. */
const PREPARE_CHUNK = 250;
const THRESHOLDS = [1, 3] as const;
const HOLDER_KINDS = ["fresh", "existing_undelegated", "existing_delegated"] as const;

/** Figures the issue measured for a bare hand-written baseline, for the ratio column. */
const BARE_BASELINE = { existing: 14_958, fresh: 32_058 } as const;
const TARGET = { existing: 13_000, fresh: 30_000 } as const;

const { ethers, ignition } = await network.create();
const [deployer, relayer] = await ethers.getSigners();
if (!deployer || !relayer) throw new Error("need two accounts");
const { chainId } = await ethers.provider.getNetwork();
const results: Record<string, number> = {};

function account(label: string, i: number): LocalAccount {
  return privateKeyToAccount(keccak256(toHex(`bench-${label}-${i}`)));
}

function accounts(label: string, count: number): LocalAccount[] {
  return Array.from({ length: count }, (_, i) => account(label, i));
}

async function deploySystem(threshold: number) {
  const oracles = accounts("oracle", 5);
  // The vault needs a stablecoin; deployed by another account so that the deployer's nonces,
  // hence the system's addresses and the measured calldata, stay what they were before it.
  const stablecoin = await ethers.deployContract("TestStablecoin", [], relayer);
  const deployed = await ignition.deploy(CreditSystemModule, {
    displayUi: false,
    parameters: {
      CreditRewardsModule: {
        oracleSigners: oracles.map((o) => o.address),
        oracleThreshold: threshold,
        initialBudget: 1_000_000n * TOKEN,
        budgetMax: 1_000_000n * TOKEN,
        annualInflationBps: 1_000n,
        epochLength: 90n * 24n * 3600n,
      },
      CreditCreditsModule: { redemptionRate: 10_000n },
      StablecoinModule: { stablecoin: await stablecoin.getAddress() },
    },
  });
  const token = await ethers.getContractAt("CreditToken", await deployed.token.getAddress());
  const rewards = await ethers.getContractAt("ContributionRewards", await deployed.rewards.getAddress());
  return { token, rewards, signers: oracles.slice(0, threshold) };
}

interface System {
  token: CreditToken;
  rewards: ContributionRewards;
  signers: LocalAccount[];
}

let nextId = 1n;

async function signedBatch(system: System, recipients: readonly string[]) {
  const contributions: Contribution[] = recipients.map((contributor) => ({
    id: nextId++,
    contributor: getAddress(contributor),
    category: CategoryId.taskCompletion,
    quality: 10_000,
  }));
  const [, , version] = await system.rewards.signerSet();
  return signRewardBatch({
    domain: contributionRewardsDomain({ chainId, rewards: getAddress(await system.rewards.getAddress()) }),
    batch: {
      contributions,
      manifest: keccak256(toHex(`bench-manifest-${nextId}`)),
      signerSetVersion: version,
      // Fixed, so that calldata (and its gas) does not depend on the wall clock: runs repeat exactly.
      deadline: 1n << 40n,
    },
    signers: system.signers,
  });
}

async function reward(system: System, recipients: readonly string[]): Promise<bigint> {
  const { args, signatures } = await signedBatch(system, recipients);
  const receipt = await (await system.rewards.rewardBatch(args, signatures)).wait();
  if (!receipt) throw new Error("no receipt");
  return receipt.gasUsed;
}

/** Makes `holders` existing holders; if `delegate`, each also delegates to itself. */
async function prepareHolders(system: System, holders: LocalAccount[], delegate: boolean) {
  for (let i = 0; i < holders.length; i += PREPARE_CHUNK) {
    await reward(
      system,
      holders.slice(i, i + PREPARE_CHUNK).map((h) => h.address),
    );
  }
  if (!delegate) return;
  const domain = creditTokenDomain({
    name: await system.token.name(),
    chainId,
    token: getAddress(await system.token.getAddress()),
  });
  const expiry = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 86_400n;
  for (const holder of holders) {
    const signature = await holder.signTypedData({
      domain,
      types: delegationTypes,
      primaryType: "Delegation",
      message: { delegatee: holder.address, nonce: 0n, expiry },
    });
    const { v, r, s } = Signature.from(signature);
    await system.token.connect(relayer).delegateBySig(holder.address, 0n, expiry, v, r, s);
  }
}

async function measureRewards() {
  for (const threshold of THRESHOLDS) {
    const system = await deploySystem(threshold);
    // Open the epoch and warm the bitmap: measurements are steady state.
    await reward(
      system,
      accounts(`warmup-${threshold}`, 5).map((a) => a.address),
    );
    for (const kind of HOLDER_KINDS) {
      const holders = accounts(`${kind}-${threshold}`, 500);
      if (kind !== "fresh") await prepareHolders(system, holders, kind === "existing_delegated");
      for (const size of BATCH_SIZES) {
        // Each size uses different holders so that "fresh" stays fresh; existing holders are reused.
        const recipients = (
          kind === "fresh" ? accounts(`fresh-${threshold}-${size}`, size) : holders.slice(0, size)
        ).map((a) => a.address);
        const name = `batch${size}_k${threshold}_${kind}`;
        try {
          results[name] = Number((await reward(system, recipients)) / BigInt(size));
        } catch (error) {
          // A batch too large for one transaction under the cap: recorded as -1, printed as such.
          console.log(`${name}: does not fit one transaction (${(error as Error).message.split("\n")[0]})`);
          nextId += BigInt(size);
          results[name] = -1;
        }
      }
    }
  }
}

async function largestBatch(kind: "fresh" | "existing_undelegated"): Promise<number> {
  const system = await deploySystem(3);
  await reward(
    system,
    accounts("largest-warmup", 5).map((a) => a.address),
  );
  const pool = accounts(`largest-${kind}`, 1_400).map((a) => a.address);
  if (kind === "existing_undelegated") {
    for (let i = 0; i < pool.length; i += PREPARE_CHUNK) await reward(system, pool.slice(i, i + PREPARE_CHUNK));
  }
  const fits = async (n: number) => {
    const saved = nextId;
    const { args, signatures } = await signedBatch(system, pool.slice(0, n));
    nextId = saved;
    try {
      return (await system.rewards.rewardBatch.estimateGas(args, signatures)) <= TX_GAS_CAP;
    } catch {
      return false;
    }
  };
  let low = 1;
  let high = pool.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (await fits(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Sends a transaction to a contract known only by its ABI (a reference from npm) and waits. */
async function send(contract: BaseContract, method: string, args: unknown[]) {
  const response = (await contract.getFunction(method)(...args)) as ContractTransactionResponse;
  const receipt = await response.wait();
  if (!receipt) throw new Error(`${method}: no receipt`);
  return receipt;
}

async function measureReferences() {
  const reference = await ethers.deployContract("ReferenceERC20");
  const holders = accounts("reference", 20).map((a) => a.address);
  let fresh = 0n;
  let existing = 0n;
  for (const holder of holders) fresh += (await (await reference.mint(holder, TOKEN)).wait())!.gasUsed;
  for (const holder of holders) existing += (await (await reference.mint(holder, TOKEN)).wait())!.gasUsed;
  results.oz_erc20_mint_fresh = Number(fresh / BigInt(holders.length));
  results.oz_erc20_mint_existing = Number(existing / BigInt(holders.length));

  // One ERC20Votes mint transaction per contribution (CreditToken, minter = deployer).
  const votes = await ethers.deployContract("CreditToken", [
    "V",
    "V",
    10n ** 30n,
    deployer!.address,
    deployer!.address,
    0n,
    [],
    [],
  ]);
  await votes.grantRole(await votes.MINTER_ROLE(), deployer!.address);
  fresh = 0n;
  existing = 0n;
  for (const holder of holders) fresh += (await (await votes.mint(holder, TOKEN)).wait())!.gasUsed;
  for (const holder of holders) existing += (await (await votes.mint(holder, TOKEN)).wait())!.gasUsed;
  results.votes_token_mint_fresh = Number(fresh / BigInt(holders.length));
  results.votes_token_mint_existing = Number(existing / BigInt(holders.length));

  // EAS multiAttest, 50 attestations per call (100 would pass the gas cap), schema = our fields.
  const eas = require("../bench/references/node_modules/@ethereum-attestation-service/eas-contracts") as {
    EAS__factory: { abi: InterfaceAbi; bytecode: string };
    SchemaRegistry__factory: { abi: InterfaceAbi; bytecode: string };
  };
  const registry = await new ContractFactory(
    eas.SchemaRegistry__factory.abi,
    eas.SchemaRegistry__factory.bytecode,
    deployer,
  ).deploy();
  const easContract = await new ContractFactory(eas.EAS__factory.abi, eas.EAS__factory.bytecode, deployer).deploy(
    await registry.getAddress(),
  );
  const schema = "uint64 id,address contributor,uint8 category,uint16 quality";
  const registered = await send(registry, "register", [schema, ethers.ZeroAddress, false]);
  const schemaUid = registered.logs
    .map((log) => registry.interface.parseLog(log))
    .find((parsed) => parsed?.name === "Registered")?.args.uid as string;
  const coder = ethers.AbiCoder.defaultAbiCoder();
  const attestations = accounts("eas", 50).map((a, i) => ({
    recipient: a.address,
    expirationTime: 0n,
    revocable: false,
    refUID: ethers.ZeroHash,
    data: coder.encode(["uint64", "address", "uint8", "uint16"], [BigInt(i), a.address, 0, 10_000]),
    value: 0n,
  }));
  const easReceipt = await send(easContract, "multiAttest", [[{ schema: schemaUid, data: attestations }]]);
  results.eas_multiattest_50_per_attestation = Number(easReceipt.gasUsed / 50n);

  // Uniswap MerkleDistributor (its build JSON from npm), 1,024 leaves, paid in a plain ERC20.
  const build = require("@uniswap/merkle-distributor/build/MerkleDistributor.json") as {
    abi: InterfaceAbi;
    bytecode: string;
  };
  const claimants = accounts("merkle", 1_024).map((a) => a.address);
  const leaves = claimants.map((address, index) =>
    Buffer.from(solidityPackedKeccak256(["uint256", "address", "uint256"], [index, address, TOKEN]).slice(2), "hex"),
  );
  const tree = new MerkleTree(leaves, (data: Buffer) => Buffer.from(ethers.keccak256(data).slice(2), "hex"), {
    sortPairs: true,
  });
  const payout = await ethers.deployContract("ReferenceERC20");
  const distributor = await new ContractFactory(build.abi, build.bytecode, deployer).deploy(
    await payout.getAddress(),
    tree.getHexRoot(),
  );
  await payout.mint(await distributor.getAddress(), 1_024n * TOKEN);
  let claimFresh = 0n;
  let claimExisting = 0n;
  for (let index = 0; index < 20; index++) {
    const proof = tree.getHexProof(leaves[index]!);
    if (index >= 10) await payout.mint(claimants[index]!, TOKEN); // the claimant already holds the token
    const receipt = await send(distributor, "claim", [index, claimants[index]!, TOKEN, proof]);
    if (index < 10) claimFresh += receipt.gasUsed;
    else claimExisting += receipt.gasUsed;
  }
  results.merkle_claim_fresh = Number(claimFresh / 10n);
  results.merkle_claim_existing = Number(claimExisting / 10n);
}

const started = Date.now();
await measureRewards();
results.largest_batch_k3_fresh = await largestBatch("fresh");
results.largest_batch_k3_existing_undelegated = await largestBatch("existing_undelegated");
await measureReferences();

const table = new Table({
  style: { head: [], border: [] },
  head: ["case", "gas per contribution", "vs OZ ERC20 mint", "vs bare baseline", "target"],
});
for (const [name, gas] of Object.entries(results)) {
  if (name.startsWith("largest")) continue;
  const fresh = name.includes("fresh");
  const floor = fresh ? results.oz_erc20_mint_fresh! : results.oz_erc20_mint_existing!;
  const isOurs = name.startsWith("batch");
  const baseline = fresh ? BARE_BASELINE.fresh : BARE_BASELINE.existing;
  const target = fresh ? TARGET.fresh : TARGET.existing;
  if (gas < 0) {
    table.push([name, "does not fit one transaction", "", "", ""]);
    continue;
  }
  table.push([
    name,
    gas.toLocaleString("en-US"),
    `${(gas / floor).toFixed(2)}x`,
    isOurs && !name.includes("delegated_") ? `${(gas / baseline).toFixed(2)}x` : "",
    isOurs && name.startsWith("batch100_k3") && !name.endsWith("_delegated")
      ? `<= ${target.toLocaleString("en-US")}`
      : "",
  ]);
}
console.log(table.toString());
console.log(
  `largest batch under the ${TX_GAS_CAP.toLocaleString("en-US")} gas cap (3-of-5): ` +
    `${results.largest_batch_k3_fresh} fresh holders, ${results.largest_batch_k3_existing_undelegated} existing holders`,
);
const out = path.resolve("bench", "results", "gas.json");
await writeFile(out, JSON.stringify(results, null, 2) + "\n");
console.log(`wrote ${path.relative(process.cwd(), out)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
