/**
 * Shared helpers of the oracle tests: deploy the system through the Ignition module with
 * oracle keys this process holds, build a service config, sign platform requests, and make
 * deterministic contribution events across every category.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import type { NetworkConnection } from "hardhat/types/network";
import type { Address, Hex } from "viem";
import { getAddress, keccak256, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

import LocalCreditSystemModule from "../../ignition/modules/LocalCreditSystem.js";
import { DEFAULT_CATEGORIES } from "../../src/sdk/categories.js";
import type { CategoryName } from "../../src/sdk/categories.js";
import { loadConfig, requireServiceConfig } from "../../src/oracle/config/loadConfig.js";
import type { ServiceConfig } from "../../src/oracle/config/loadConfig.js";
import type { ContributionEvent } from "../../src/oracle/domain/evidence.js";
import { CATEGORY_NAMES } from "../../src/oracle/domain/evidence.js";
import { scoreEvidence } from "../../src/oracle/domain/policies.js";
import type { ScoringPolicy } from "../../src/oracle/domain/policies.js";
import { signRequest } from "../../src/oracle/http/hmac.js";
import { loadPolicy } from "../../src/oracle/main.js";
import { TEST_CREDITS, TEST_GOVERNANCE, TOKEN } from "../helpers/fixtures.js";

export const PLATFORM = "llm-platform";
export const PLATFORM_SECRET = "test-platform-secret-0123456789";
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** The oracle signer keys (3, threshold 2): deterministic, local networks only. */
export const SIGNER_KEYS: Hex[] = [0, 1, 2].map((i) => keccak256(toHex(`oracle-node-${i}`)));

/** A funded Hardhat account's key (index 15), used as the oracle's transaction sender. */
export function hardhatKey(index: number): Hex {
  const key = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index }).getHdKey().privateKey;
  if (key === null) throw new Error("no key");
  return toHex(key);
}
export const SUBMITTER_KEY = hardhatKey(15);

export interface OracleDeployment {
  rewards: Address;
  emission: Address;
  token: Address;
  fromBlock: bigint;
}

export interface DeployOptions {
  /** Pins every epoch's budget to this (floor = max), so tests can reason about one figure. */
  epochBudget?: bigint;
  epochLength?: bigint;
  deploymentId?: string;
}

/**
 * Deploys the whole system with the real Ignition module (its local variant, with a test
 * stablecoin), our keys as the signer set.
 */
export async function deployForOracle(
  connection: NetworkConnection,
  options: DeployOptions = {},
): Promise<OracleDeployment> {
  const { ignition, ethers } = connection;
  const signers = (await ethers.getSigners()).slice(1, 5);
  const { privateKeyToAccount } = await import("viem/accounts");
  const budget = options.epochBudget ?? 150_000n * TOKEN;
  const deployed = await ignition.deploy(LocalCreditSystemModule, {
    displayUi: false,
    ...(options.deploymentId === undefined ? {} : { deploymentId: options.deploymentId }),
    parameters: {
      CreditGovernanceModule: {
        ...TEST_GOVERNANCE,
        genesisRecipients: signers.map((s) => s.address),
        genesisAmounts: signers.map(() => 10_000_000n * TOKEN),
      },
      CreditRewardsModule: {
        epochLength: options.epochLength ?? 7n * 24n * 3600n,
        initialBudget: budget,
        budgetFloor: budget,
        budgetMax: budget,
        annualInflationBps: 200n,
        maxQualityBps: 20_000n,
        oracleSigners: SIGNER_KEYS.map((k) => privateKeyToAccount(k).address),
        oracleThreshold: 2n,
      },
      CreditCreditsModule: TEST_CREDITS,
    },
  });
  return {
    rewards: getAddress(await deployed.rewards.getAddress()),
    emission: getAddress(await deployed.emission.getAddress()),
    token: getAddress(await deployed.token.getAddress()),
    fromBlock: 0n,
  };
}

export function tempDbPath(label: string): string {
  return path.join(mkdtempSync(path.join(tmpdir(), `oracle-${label}-`)), "oracle.sqlite");
}

/** The environment a test service runs with (also used for child processes). */
export function oracleEnv(deployment: OracleDeployment, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ORACLE_HTTP_PORT: "0",
    ORACLE_DB_PATH: tempDbPath("db"),
    ORACLE_REWARDS_ADDRESS: deployment.rewards,
    ORACLE_SIGNER_KEYS: SIGNER_KEYS.slice(0, 2).join(","),
    ORACLE_SUBMITTER_KEY: SUBMITTER_KEY,
    ORACLE_PLATFORM_SECRETS: `${PLATFORM}=${PLATFORM_SECRET}`,
    ORACLE_CONFIRMATIONS: "1",
    ORACLE_POLL_INTERVAL_MS: "50",
    ORACLE_BATCH_MAX_ITEMS: "200",
    ORACLE_BATCH_MAX_WAIT_MS: "200",
    ORACLE_LOG_LEVEL: "warn",
    ...extra,
  };
}

export function testConfig(deployment: OracleDeployment, extra: Record<string, string> = {}): ServiceConfig {
  return requireServiceConfig(loadConfig({ env: oracleEnv(deployment, extra) }));
}

export function defaultPolicy(): ScoringPolicy {
  return loadPolicy(path.resolve("config", "oracle-policies.json"));
}

export interface PostOptions {
  secret?: string;
  platform?: string;
  timestamp?: number;
  headers?: Record<string, string>;
}

/** POSTs a contribution event signed as the platform does. */
export async function postContribution(
  url: string,
  body: unknown,
  options: PostOptions = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const response = await fetch(`${url}/v1/contributions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-oracle-platform": options.platform ?? PLATFORM,
      "x-oracle-timestamp": String(timestamp),
      "x-oracle-signature": signRequest({ secret: options.secret ?? PLATFORM_SECRET, timestamp, body: raw }),
      ...options.headers,
    },
    body: raw,
  });
  const text = await response.text();
  return { status: response.status, json: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** Posts with a bounded number of requests in flight. */
export async function postAll(url: string, events: readonly unknown[], concurrency = 16): Promise<number[]> {
  const statuses: number[] = new Array<number>(events.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events.length) {
        const i = next++;
        statuses[i] = (await postContribution(url, events[i])).status;
      }
    }),
  );
  return statuses;
}

/** A deterministic contributor address. */
export function contributorAddress(label: string, i: number): Address {
  return getAddress(keccak256(toHex(`${label}-contributor-${i}`)).slice(0, 42));
}

/** Evidence that the default policy accepts, varied by `i`. */
export function acceptedEvidence(category: CategoryName, i: number): ContributionEvent["evidence"] {
  switch (category) {
    case "taskCompletion":
      return { taskId: `task-${i}`, completed: true, rating: 2 + (i % 4), durationSeconds: 30 + i };
    case "qualityInput":
      return { kind: i % 2 === 0 ? "prompt" : "feedback", helpfulVotes: 5 + (i % 5), totalVotes: 10 };
    case "dataAnnotation":
      return { agreementBps: 6000 + ((i * 37) % 4000), itemCount: 10 + ((i * 13) % 700) };
    case "bugReport":
      return {
        severity: (["low", "medium", "high", "critical"] as const)[i % 4]!,
        reproduction: "confirmed",
        duplicate: false,
      };
    case "moderation":
      return { decisions: 20 + (i % 50), accuracyBps: 8000 + ((i * 7) % 2000) };
    case "educationalContent":
      return { format: "tutorial", reviewScore: 50 + (i % 51), reviewers: 2 + (i % 3) };
    case "bugFix":
      return {
        repository: "llm/platform",
        pullRequest: 1 + i,
        merged: true,
        severity: (["low", "medium", "high", "critical"] as const)[i % 4]!,
        linesChanged: 10 + i,
        testsAdded: i % 2 === 0,
      };
    case "optimisation":
      return { metric: "p99-latency", improvementBps: 500 + ((i * 101) % 5000), verified: true };
    case "communityEvent":
      return { attendees: 5 + (i % 300), durationMinutes: 60, feedbackScore: 40 + (i % 61) };
  }
}

/**
 * `count` events across all categories: contributor `i % contributors`, category `i % 9`, so no
 * contributor passes a daily limit when `count / contributors ≤ 9`.
 */
export function makeEvents(label: string, count: number, contributors = Math.ceil(count / 4)): ContributionEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const category = CATEGORY_NAMES[i % CATEGORY_NAMES.length]!;
    return {
      eventId: `${label}-${i}`,
      contributor: contributorAddress(label, i % contributors),
      category,
      evidence: acceptedEvidence(category, i),
    } as ContributionEvent;
  });
}

/** What the policies and the on-chain rates say an event earns at a reward scale (default 1.0). */
export function expectedAmount(event: ContributionEvent, policy: ScoringPolicy, rewardScale = 10n ** 18n): bigint {
  const result = scoreEvidence({ category: event.category, evidence: event.evidence, policy });
  if (!result.accepted) return 0n;
  const base = DEFAULT_CATEGORIES.find((c) => c.name === event.category)!.baseReward;
  // The contract's formula, rounding included: base × quality × scale / (1e4 × 1e18).
  return (base * BigInt(result.quality) * rewardScale) / (10_000n * 10n ** 18n);
}

export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
