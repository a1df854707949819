/**
 * The live scenario `npm start` drives against the running stack, through the same doors real
 * users use: contributors' work reaches the oracle's HTTP API (signed as the platform signs)
 * and is minted by the oracle; a user meets the gateway's 402, pays per use with a permit, buys
 * premium and redeems for the stablecoin; token holders pass a proposal that changes a reward
 * rate through the governor and the timelock, and the next contribution earns the new rate.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Signature } from "ethers";
import { getAddress, keccak256, toHex } from "viem";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import type { OracleClient } from "../../src/oracle/client.js";
import type { ContributionEvent } from "../../src/oracle/domain/evidence.js";
import type { ContributionView } from "../../src/oracle/http/views.js";
import { DEFAULT_CATEGORIES } from "../../src/sdk/categories.js";
import type { CategoryName } from "../../src/sdk/categories.js";
import type { SystemAddresses } from "../../src/sdk/deployments.js";
import { creditTokenDomain, ethersTypes, permitTypes } from "../../src/sdk/eip712.js";
import { formatAmount } from "../../src/sdk/formatAmount.js";
import { encodeProposal, parseProposalFile } from "../../src/sdk/proposals.js";
import { TierId } from "../../src/sdk/tiers.js";
import {
  ContributionRewards__factory,
  CreditGovernor__factory,
  CreditSpender__factory,
  CreditToken__factory,
  EmissionController__factory,
  RedemptionVault__factory,
  TestStablecoin__factory,
} from "../../types/ethers-contracts/index.js";
import { accessMessage } from "../gateway/server.js";

/** How the scenario tells the operator what happens (scripts/start/reporter.ts). */
export interface Reporter {
  section(title: string): void;
  line(text: string): void;
  table(rows: readonly (readonly string[])[]): void;
  /** Runs `task` with a progress line the task can update; ends with `done`'s text. */
  wait<T>(text: string, task: (update: (text: string) => void) => Promise<T>, done?: (result: T) => string): Promise<T>;
}

export interface ScenarioParameters {
  ethers: HardhatEthers;
  addresses: SystemAddresses & { stablecoin: Address };
  oracle: OracleClient;
  gatewayUrl: string;
  /** Makes this run's event ids unique, so a restart against a reused deployment adds new work. */
  runId: string;
  report: Reporter;
  /** How long to wait for the oracle to settle a contribution. */
  oracleTimeoutMs?: number;
}

/** The local accounts' roles (Hardhat's default accounts; see ignition/parameters/localhost.json). */
const ROLE = { proposer: 1, opponent: 2, abstainer: 3, user: 4 } as const;
const NAMES = ["Ada", "Grace", "Linus"] as const;
/** States after which the oracle does nothing more until the next epoch. */
const SETTLED: ReadonlySet<string> = new Set(["confirmed", "rejected", "deferred"]);
/** States the oracle never leaves. */
const FINAL: ReadonlySet<string> = new Set(["confirmed", "rejected"]);
const VOTE = { against: 0, for: 1, abstain: 2 } as const;
const STATE_NAMES = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"];

export interface ScenarioResult {
  contributions: ContributionView[];
  rateChange: { category: CategoryName; before: bigint; after: bigint; proposalId: bigint };
}

export async function runScenario(parameters: ScenarioParameters): Promise<ScenarioResult> {
  const { ethers, addresses, oracle, gatewayUrl, runId, report } = parameters;
  const oracleTimeoutMs = parameters.oracleTimeoutMs ?? 120_000;
  const signers = await ethers.getSigners();
  const signer = (index: number): HardhatEthersSigner => {
    const found = signers[index];
    if (found === undefined) throw new Error(`the node has no account ${index} (it has ${signers.length})`);
    return found;
  };
  const provider = ethers.provider;
  const token = CreditToken__factory.connect(addresses.token, provider);
  const [decimals, symbol] = [Number(await token.decimals()), await token.symbol()];
  const cred = (value: bigint) => `${formatAmount(value, decimals, { maxDecimals: 4 })} ${symbol}`;
  const rewards = ContributionRewards__factory.connect(addresses.rewards, provider);
  const emission = EmissionController__factory.connect(addresses.emission, provider);
  const chainNow = async () => BigInt((await provider.getBlock("latest"))!.timestamp);
  /** Moves the local chain's clock (the only way to show a week of governance in a minute). */
  const travelTo = async (timestamp: bigint, why: string) => {
    const now = await chainNow();
    if (timestamp > now) {
      await provider.send("evm_increaseTime", [Number(timestamp - now)]);
      await provider.send("evm_mine", []);
      report.line(`(local chain moved ${timestamp - now} s forward: ${why})`);
    }
  };
  const nextEpoch = async (why: string) => {
    const current = await emission.epochState(await emission.currentEpoch());
    await travelTo(current.start + current.duration, why);
  };

  // Fresh addresses each run, derived from the run id: a restart on a reused deployment the same
  // day would otherwise meet the policies' per-contributor daily limits.
  const contributors = NAMES.map((name) => ({
    name,
    address: privateKeyToAccount(keccak256(toHex(`local-contributor-${runId}-${name}`))).address,
  }));
  const nameOf = (address: string) =>
    contributors.find((c) => c.address.toLowerCase() === address.toLowerCase())?.name ?? address;

  // ---- 1. Contributors earn -------------------------------------------------------------
  report.section("Contributors earn: the platform reports their work to the oracle");
  const [ada, grace, linus] = contributors.map((c) => getAddress(c.address)) as [Address, Address, Address];
  const event = (n: number, contributor: Address, category: CategoryName, evidence: unknown): ContributionEvent =>
    ({ eventId: `local-${runId}-${n}`, contributor, category, evidence }) as ContributionEvent;
  const events: ContributionEvent[] = [
    event(1, ada, "bugReport", { severity: "high", reproduction: "confirmed", duplicate: false }),
    event(2, ada, "bugFix", {
      repository: "llm/platform",
      pullRequest: 4211,
      merged: true,
      severity: "high",
      linesChanged: 48,
      testsAdded: true,
    }),
    event(3, ada, "optimisation", { metric: "p99-latency", improvementBps: 1800, verified: true }),
    event(4, grace, "educationalContent", { format: "tutorial", reviewScore: 82, reviewers: 3 }),
    event(5, grace, "dataAnnotation", { agreementBps: 9100, itemCount: 240 }),
    event(6, grace, "communityEvent", { attendees: 40, durationMinutes: 90, feedbackScore: 70 }),
    event(7, linus, "taskCompletion", { taskId: `task-${runId}`, completed: true, rating: 5, durationSeconds: 95 }),
    event(8, linus, "qualityInput", { kind: "prompt", helpfulVotes: 9, totalVotes: 11 }),
    event(9, linus, "moderation", { decisions: 60, accuracyBps: 9400 }),
    // The scoring policy turns this one down: a duplicate report earns nothing.
    event(10, linus, "bugReport", { severity: "critical", reproduction: "confirmed", duplicate: true }),
  ];
  for (const e of events) await oracle.submit(e);
  report.line(`${events.length} events accepted by POST /v1/contributions (HMAC-signed as the platform)`);
  const settled = await waitForOracle(oracle, events, report, oracleTimeoutMs);
  report.table([
    ["contributor", "category", "state", "quality", "minted", "block"],
    ...settled.map((c) => [
      nameOf(c.contributor),
      c.category,
      c.state === "rejected" ? `rejected (${c.reason})` : c.state,
      c.quality === null ? "-" : `${(c.quality / 10_000).toFixed(2)}x`,
      c.amount === null ? "-" : cred(BigInt(c.amount)),
      c.blockNumber === null ? "-" : String(c.blockNumber),
    ]),
  ]);
  for (const c of contributors) report.line(`${c.name} (${c.address}) holds ${cred(await token.balanceOf(c.address))}`);
  const [epoch, limit, minted, scale] = await emission.mintAllowance();
  report.line(
    `Epoch ${epoch}: ${cred(minted)} minted of a limit of ${cred(limit)}, reward scale ${formatAmount(scale, 18, { maxDecimals: 4 })}`,
  );

  // ---- 2. A user pays per use, buys premium, redeems ------------------------------------
  const user = signer(ROLE.user);
  report.section(`A user (${user.address}) pays for the LLM`);
  const spender = CreditSpender__factory.connect(addresses.spender, user);
  const first = await askGateway(gatewayUrl, { prompt: "Summarise the tokenomics doc" });
  if (first.status !== 402) throw new Error(`the gateway answered ${first.status}, expected 402 Payment Required`);
  const price = BigInt(String(first.body.price));
  const usageRef = String(first.body.usageRef) as Hex;
  const usageSecret = String(first.body.usageSecret);
  report.line(`Gateway: 402 Payment Required, price ${cred(price)}, usageRef ${usageRef.slice(0, 18)}…`);
  const permit = await signPermit(user, addresses.token, addresses.spender, price, (await chainNow()) + 3_600n);
  const spent = await (await spender.spendWithPermit(price, usageRef, permit)).wait();
  const spentLog = spent!.logs.map((log) => spender.interface.parseLog(log)).find((parsed) => parsed?.name === "Spent");
  report.line(
    `spendWithPermit in one transaction (block ${spent!.blockNumber}): ${cred(spentLog!.args.burned as bigint)} burned, ` +
      `${cred(spentLog!.args.toTreasury as bigint)} to the treasury`,
  );
  const served = await retryGateway(
    gatewayUrl,
    { prompt: "Summarise the tokenomics doc" },
    { "x-usage-secret": usageSecret },
  );
  report.line(
    `Gateway, with x-usage-secret: ${served.status}, paid by ${String(served.body.paidBy)} ("${String(served.body.completion)}")`,
  );

  const tier = TierId.plus;
  const [cost] = await spender.quotePremium(user.address, tier, 1n);
  const bought = await spender.buyPremiumWithPermit(
    tier,
    1n,
    cost,
    await signPermit(user, addresses.token, addresses.spender, cost, (await chainNow()) + 3_600n),
  );
  await bought.wait();
  const premium = await spender.premiumOf(user.address);
  report.line(
    `Premium "plus" for 30 days: ${cred(cost)}, active until ${new Date(Number(premium.expiry) * 1000).toISOString()}`,
  );
  const expires = Math.floor(Date.now() / 1000) + 600;
  const { chainId } = await provider.getNetwork();
  const message = accessMessage({
    account: getAddress(user.address),
    expires,
    spender: addresses.spender,
    chainId: Number(chainId),
  });
  const premiumAnswer = await askGateway(
    gatewayUrl,
    { prompt: "Draft the release notes" },
    {
      "x-credit-address": user.address,
      "x-credit-expires": String(expires),
      "x-credit-signature": await user.signMessage(message),
    },
  );
  report.line(
    `Gateway, with a premium access signature: ${premiumAnswer.status}, paid by ${String(premiumAnswer.body.paidBy)}`,
  );

  const vault = RedemptionVault__factory.connect(addresses.vault, user);
  const stablecoin = TestStablecoin__factory.connect(addresses.stablecoin, provider);
  const [usdDecimals, usdSymbol] = [Number(await stablecoin.decimals()), await stablecoin.symbol()];
  const usd = (value: bigint) => `${formatAmount(value, usdDecimals)} ${usdSymbol}`;
  const redeemAmount = 500n * 10n ** BigInt(decimals);
  const payout = await vault.quote(redeemAmount);
  await (await token.connect(user).approve(addresses.vault, redeemAmount)).wait();
  await (await vault.redeem(redeemAmount, payout)).wait();
  report.line(
    `Redeemed ${cred(redeemAmount)} for ${usd(payout)} (burned); the user holds ${usd(await stablecoin.balanceOf(user.address))}, ` +
      `the vault ${usd(await vault.reserves())}`,
  );

  // ---- 3. Governance changes a reward rate ----------------------------------------------
  report.section("Token holders change a reward rate: propose, vote, queue, execute");
  const governor = CreditGovernor__factory.connect(addresses.governor, provider);
  const voters = [signer(ROLE.proposer), signer(ROLE.opponent), signer(ROLE.abstainer)];
  for (const voter of voters) {
    if ((await token.delegates(voter.address)) === "0x0000000000000000000000000000000000000000") {
      await (await token.connect(voter).delegate(voter.address)).wait();
      report.line(`${voter.address} delegates its ${cred(await token.balanceOf(voter.address))} to itself`);
    }
  }
  // The contract allows one rate change per category and epoch: a restart within the same
  // epoch picks a category that has not changed yet, or waits for the next epoch.
  const preferred: CategoryName[] = ["bugReport", "bugFix", "educationalContent"];
  const order = [
    ...preferred.map((name) => DEFAULT_CATEGORIES.find((c) => c.name === name)!),
    ...DEFAULT_CATEGORIES.filter((c) => !preferred.includes(c.name)),
  ];
  const unchanged = async () => {
    for (const entry of order) if (!(await rewards.categoryConfig(entry.id)).rateChangedThisEpoch) return entry;
    return undefined;
  };
  let category = await unchanged();
  if (category === undefined) {
    await nextEpoch("every category's rate changed in this epoch already");
    category = (await unchanged())!;
  }
  const before = (await rewards.categoryConfig(category.id)).baseReward;
  // +20%, or back down by the same factor (×5/6) where +20% would pass the hard limit.
  const raised = (before * 6n) / 5n;
  const after = raised <= (await rewards.maxBaseReward()) ? raised : (before * 5n) / 6n;
  const proposal = encodeProposal({
    proposal: parseProposalFile({
      description:
        `# ${after > before ? "Raise" : "Lower"} the ${category.name} reward (local run ${runId})\n\n` +
        `Sets the base reward of ${category.name} from ${formatAmount(before, decimals)} to ${formatAmount(after, decimals)} ${symbol}.`,
      actions: [{ type: "setCategoryRate", category: category.name, baseReward: formatAmount(after, decimals) }],
    }),
    addresses,
    decimals,
    symbol,
  });
  const proposer = governor.connect(voters[0]);
  await (await proposer.propose(proposal.targets, proposal.values, proposal.calldatas, proposal.description)).wait();
  const proposalId = await governor.hashProposal(
    proposal.targets,
    proposal.values,
    proposal.calldatas,
    ethers.id(proposal.description),
  );
  report.line(`Proposed by ${voters[0]!.address}: ${proposal.summaries.join("; ")}`);
  report.line(`proposal id ${proposalId}`);

  const state = async () => STATE_NAMES[Number(await governor.state(proposalId))]!;
  await travelTo((await governor.proposalSnapshot(proposalId)) + 1n, "the voting delay");
  const ballots = [
    [voters[0]!, VOTE.for, "The triage data says these are under-rewarded."],
    [voters[1]!, VOTE.against, "Wait one more epoch of data."],
    [voters[2]!, VOTE.abstain, "No strong view."],
  ] as const;
  for (const [voter, support, reason] of ballots) {
    await (await governor.connect(voter).castVoteWithReason(proposalId, support, reason)).wait();
  }
  const [against, forVotes, abstain] = await governor.proposalVotes(proposalId);
  report.line(
    `Votes: for ${cred(forVotes)}, against ${cred(against)}, abstain ${cred(abstain)}; ` +
      `quorum ${cred(await governor.quorum(await governor.proposalSnapshot(proposalId)))}`,
  );
  await travelTo((await governor.proposalDeadline(proposalId)) + 1n, "the voting period");
  report.line(`State after the vote: ${await state()}`);
  await (await governor.connect(voters[1])["queue(uint256)"](proposalId)).wait();
  const eta = await governor.proposalEta(proposalId);
  report.line(`Queued in the timelock; executable from ${new Date(Number(eta) * 1000).toISOString()}`);
  await travelTo(eta, "the timelock delay");
  // Anyone may execute once the delay has passed: here, the user who took no part.
  await (await governor.connect(user)["execute(uint256)"](proposalId)).wait();
  const now = (await rewards.categoryConfig(category.id)).baseReward;
  report.line(`State: ${await state()}; ${category.name} base reward ${cred(before)} → ${cred(now)}`);
  if (now !== after) throw new Error(`the rate is ${now}, expected ${after} after the proposal`);

  // ---- 4. The next contribution earns the new rate --------------------------------------
  report.section(`The next ${category.name} contribution earns the new rate`);
  // The same work as the first contribution of the category, by the same contributor.
  const model = events.find(
    (e) => e.category === category.name && !("duplicate" in e.evidence && e.evidence.duplicate),
  )!;
  const next = [event(11, model.contributor, category.name, model.evidence)];
  await oracle.submit(next[0]!);
  let [latest] = await waitForOracle(oracle, next, report, oracleTimeoutMs);
  if (latest!.state === "deferred") {
    // This epoch's budget is spent (a restart on a reused chain adds work to the same epoch):
    // move to the next epoch, whose budget is fresh; the oracle retries deferred work by itself.
    await nextEpoch("the next epoch, with a fresh budget");
    [latest] = await waitForOracle(oracle, next, report, oracleTimeoutMs, FINAL);
  }
  if (latest!.state !== "confirmed") {
    throw new Error(`the contribution at the new rate was ${latest!.state} (${latest!.reason ?? "no reason given"})`);
  }
  report.line(
    `${nameOf(latest!.contributor)}'s ${category.name}: ${latest!.state}` +
      (latest!.amount === null
        ? ""
        : `, ${cred(BigInt(latest!.amount))} at quality ${(latest!.quality! / 10_000).toFixed(2)}x`) +
      ` (base reward now ${cred(now)})`,
  );

  return {
    contributions: [...settled, latest!],
    rateChange: { category: category.name, before, after: now, proposalId },
  };
}

/** Polls the oracle until every event is settled (minted, rejected or deferred), with progress. */
async function waitForOracle(
  oracle: OracleClient,
  events: readonly ContributionEvent[],
  report: Reporter,
  timeoutMs: number,
  until: ReadonlySet<string> = SETTLED,
): Promise<ContributionView[]> {
  return report.wait(
    "Waiting for the oracle to score, batch, sign and mint",
    async (update) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const views = await Promise.all(events.map(async (e) => (await oracle.contribution(e.eventId))!));
        const counts = new Map<string, number>();
        for (const view of views) counts.set(view.state, (counts.get(view.state) ?? 0) + 1);
        const done = views.filter((view) => until.has(view.state)).length;
        update(
          `Waiting for the oracle: ${done}/${views.length} settled (${[...counts].map(([s, n]) => `${s} ${n}`).join(", ")})`,
        );
        if (done === views.length) return views;
        if (Date.now() > deadline) {
          throw new Error(`the oracle settled ${done} of ${views.length} contributions in ${timeoutMs / 1000} s`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    (views) => {
      const minted = views.filter((view) => view.state === "confirmed").length;
      const deferred = views.filter((view) => view.state === "deferred").length;
      return (
        `The oracle minted ${minted} of ${views.length} contributions` +
        (deferred > 0 ? `; ${deferred} deferred to a later epoch (the budget is full: the oracle retries then)` : "")
      );
    },
  );
}

interface GatewayAnswer {
  status: number;
  body: Record<string, unknown>;
}

async function askGateway(url: string, body: unknown, headers: Record<string, string> = {}): Promise<GatewayAnswer> {
  const response = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Asks again while the gateway has not seen the payment yet (its negative answers are cached briefly). */
async function retryGateway(url: string, body: unknown, headers: Record<string, string>): Promise<GatewayAnswer> {
  for (let attempt = 0; ; attempt++) {
    const answer = await askGateway(url, body, headers);
    if (answer.status !== 402 || attempt >= 20) {
      if (answer.status !== 200)
        throw new Error(`the gateway answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return answer;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** An ERC-2612 permit of `value` for `spender`, signed by `owner` (the SDK's one Permit type). */
async function signPermit(
  owner: HardhatEthersSigner,
  tokenAddress: Address,
  spender: Address,
  value: bigint,
  deadline: bigint,
) {
  const token = CreditToken__factory.connect(tokenAddress, owner);
  const [name, nonce, { chainId }] = await Promise.all([
    token.name(),
    token.nonces(owner.address),
    owner.provider!.getNetwork(),
  ]);
  const domain = creditTokenDomain({ name, chainId, token: tokenAddress });
  const signature = Signature.from(
    await owner.signTypedData(domain, ethersTypes(permitTypes), {
      owner: owner.address,
      spender,
      value,
      nonce,
      deadline,
    }),
  );
  return { value, deadline, v: signature.v, r: signature.r, s: signature.s };
}
