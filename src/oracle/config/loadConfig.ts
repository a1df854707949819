/**
 * The oracle's configuration: read once, from the environment and an optional JSON file
 * (`ORACLE_CONFIG`), validated with zod, and passed to every factory. Nothing else in the
 * oracle reads `process.env`. The environment wins over the file. Secrets (signer keys, the
 * submitter key, platform HMAC secrets) come from the environment or an encrypted keystore,
 * never from the plain file, and are held as {@link Secret}s.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import type { Address, Hex } from "viem";
import { getAddress, isAddress } from "viem";
import { z } from "zod";

import { ConfigError } from "../errors.js";
import { decryptKeystore } from "./keystore.js";
import type { KeystoreContent } from "./keystore.js";
import { Secret } from "./secret.js";

/** Where the service can be told to kill itself (SIGKILL) for the crash tests. */
export const CRASH_POINTS = [
  "after-ingest",
  "after-scoring",
  "after-signing",
  "before-broadcast",
  "after-broadcast",
  "before-confirm-record",
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const wei = z.coerce.bigint().min(0n);
const bool = z.union([z.boolean(), z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1")]);
const address = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), "an address")
  .transform((value): Address => getAddress(value));

const fileSchema = z.strictObject({
  http: z
    .strictObject({
      host: z.string().default("127.0.0.1"),
      port: int(0, 65_535).default(8787),
      bodyLimitBytes: int(256, 1 << 20).default(16_384),
      replayWindowSeconds: int(1, 3600).default(300),
    })
    .prefault({}),
  db: z.strictObject({ path: z.string().min(1).default("data/oracle.sqlite") }).prefault({}),
  chain: z
    .strictObject({
      rpcUrl: z.url().optional(),
      chainId: int(1).optional(),
      rewardsAddress: address.optional(),
      confirmations: int(1, 1000).default(2),
      pollIntervalMs: int(10, 60_000).default(1000),
      rpcTimeoutMs: int(100, 120_000).default(10_000),
      fromBlock: z.coerce.bigint().min(0n).default(0n),
    })
    .prefault({}),
  tx: z
    .strictObject({
      replaceAfterMs: int(100).default(60_000),
      feeBumpPercent: int(11, 500).default(25),
      maxFeePerGas: wei.optional(),
      gasLimitCap: wei.default(16_000_000n),
      gasMarginPercent: int(0, 200).default(20),
      maxInFlight: int(1, 64).default(4),
      /**
       * How the gas limit is found: `estimate` (eth_estimateGas, plus the margin), or `simulate`
       * (one eth_call at a limit learned from earlier receipts, falling back to eth_estimateGas
       * when that limit is too low): nodes that binary-search estimates (Hardhat's EDR runs
       * ~14 executions for a large batch) cost far less this way.
       */
      gasEstimation: z.enum(["estimate", "simulate"]).default("estimate"),
    })
    .prefault({}),
  batch: z
    .strictObject({
      maxItems: int(1, 2000).default(400),
      maxWaitMs: int(0).default(5000),
      deadlineSeconds: int(60).default(3600),
      maxClockSkewSeconds: int(1).default(120),
    })
    .prefault({}),
  policiesPath: z.string().default("config/oracle-policies.json"),
  artifactsDir: z.string().default("artifacts"),
  log: z.strictObject({ level: z.string().default("info"), pretty: bool.default(false) }).prefault({}),
  keystore: z.string().optional(),
  faults: z
    .strictObject({
      crashAt: z.enum(CRASH_POINTS).optional(),
      crashAfter: int(1).default(1),
      clockOffsetMs: z.coerce.number().int().default(0),
    })
    .prefault({}),
});

type FileConfig = z.infer<typeof fileSchema>;

export interface OracleSecrets {
  signerKeys: Secret<Hex>[];
  submitterKey: Secret<Hex> | undefined;
  platformSecrets: Map<string, Secret<string>>;
  /** ORACLE_KEYSTORE_PASSWORD, kept for `keystore create`. */
  keystorePassword: Secret<string> | undefined;
}

export type OracleConfig = Omit<FileConfig, "keystore"> & { secrets: OracleSecrets };

/** A config with everything the running service needs (see {@link requireServiceConfig}). */
export type ServiceConfig = OracleConfig & {
  chain: OracleConfig["chain"] & { rewardsAddress: Address };
  secrets: OracleSecrets & { submitterKey: Secret<Hex> };
};

/** Environment variable → config path. */
export const ENV_KEYS: Record<string, string> = {
  ORACLE_HTTP_HOST: "http.host",
  ORACLE_HTTP_PORT: "http.port",
  ORACLE_BODY_LIMIT_BYTES: "http.bodyLimitBytes",
  ORACLE_REPLAY_WINDOW_SECONDS: "http.replayWindowSeconds",
  ORACLE_DB_PATH: "db.path",
  ORACLE_RPC_URL: "chain.rpcUrl",
  ORACLE_CHAIN_ID: "chain.chainId",
  ORACLE_REWARDS_ADDRESS: "chain.rewardsAddress",
  ORACLE_CONFIRMATIONS: "chain.confirmations",
  ORACLE_POLL_INTERVAL_MS: "chain.pollIntervalMs",
  ORACLE_RPC_TIMEOUT_MS: "chain.rpcTimeoutMs",
  ORACLE_FROM_BLOCK: "chain.fromBlock",
  ORACLE_REPLACE_AFTER_MS: "tx.replaceAfterMs",
  ORACLE_FEE_BUMP_PERCENT: "tx.feeBumpPercent",
  ORACLE_MAX_FEE_PER_GAS: "tx.maxFeePerGas",
  ORACLE_GAS_LIMIT_CAP: "tx.gasLimitCap",
  ORACLE_GAS_MARGIN_PERCENT: "tx.gasMarginPercent",
  ORACLE_MAX_IN_FLIGHT: "tx.maxInFlight",
  ORACLE_GAS_ESTIMATION: "tx.gasEstimation",
  ORACLE_BATCH_MAX_ITEMS: "batch.maxItems",
  ORACLE_BATCH_MAX_WAIT_MS: "batch.maxWaitMs",
  ORACLE_BATCH_DEADLINE_SECONDS: "batch.deadlineSeconds",
  ORACLE_MAX_CLOCK_SKEW_SECONDS: "batch.maxClockSkewSeconds",
  ORACLE_POLICIES: "policiesPath",
  ORACLE_ARTIFACTS_DIR: "artifactsDir",
  ORACLE_LOG_LEVEL: "log.level",
  ORACLE_LOG_PRETTY: "log.pretty",
  ORACLE_KEYSTORE: "keystore",
  ORACLE_CRASH_AT: "faults.crashAt",
  ORACLE_CRASH_AFTER: "faults.crashAfter",
  ORACLE_CLOCK_OFFSET_MS: "faults.clockOffsetMs",
};

/** Secret environment variables (read here, never logged). */
export const SECRET_ENV_KEYS = [
  "ORACLE_SIGNER_KEYS",
  "ORACLE_SUBMITTER_KEY",
  "ORACLE_PLATFORM_SECRETS",
  "ORACLE_KEYSTORE_PASSWORD",
] as const;

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== "object" || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

function formatIssues(error: z.ZodError, origin: (p: string) => string): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.join(".");
      return `${origin(key)}: ${issue.message}`;
    })
    .join("; ");
}

const privateKeyPattern = /^0x[0-9a-fA-F]{64}$/;

function parsePlatformSecrets(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of value.split(",").filter((e) => e.trim() !== "")) {
    const at = entry.indexOf("=");
    if (at <= 0) throw new ConfigError("ORACLE_PLATFORM_SECRETS: expected name=secret[,name=secret]");
    out[entry.slice(0, at).trim()] = entry.slice(at + 1).trim();
  }
  return out;
}

function loadSecrets(env: Record<string, string | undefined>, keystorePath: string | undefined): OracleSecrets {
  let stored: KeystoreContent = {};
  if (keystorePath !== undefined) {
    const password = env.ORACLE_KEYSTORE_PASSWORD;
    if (password === undefined) throw new ConfigError("ORACLE_KEYSTORE is set but ORACLE_KEYSTORE_PASSWORD is not");
    let file: unknown;
    try {
      file = JSON.parse(readFileSync(keystorePath, "utf8"));
    } catch (cause) {
      throw new ConfigError(`cannot read the keystore ${keystorePath}`, { cause });
    }
    stored = decryptKeystore({ file, password });
  }
  const signerKeys =
    env.ORACLE_SIGNER_KEYS === undefined
      ? (stored.signerKeys ?? [])
      : env.ORACLE_SIGNER_KEYS.split(",")
          .map((k) => k.trim())
          .filter((k) => k !== "");
  for (const [i, key] of signerKeys.entries()) {
    if (!privateKeyPattern.test(key)) throw new ConfigError(`signer key #${i} is not a 32-byte hex private key`);
  }
  const submitterKey = env.ORACLE_SUBMITTER_KEY ?? stored.submitterKey ?? signerKeys[0];
  if (submitterKey !== undefined && !privateKeyPattern.test(submitterKey)) {
    throw new ConfigError("the submitter key is not a 32-byte hex private key");
  }
  const platformSecrets =
    env.ORACLE_PLATFORM_SECRETS === undefined
      ? (stored.platformSecrets ?? {})
      : parsePlatformSecrets(env.ORACLE_PLATFORM_SECRETS);
  for (const [name, secret] of Object.entries(platformSecrets)) {
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) throw new ConfigError(`platform name "${name}" is invalid`);
    if (secret.length < 16)
      throw new ConfigError(`the HMAC secret of platform "${name}" is shorter than 16 characters`);
  }
  return {
    signerKeys: signerKeys.map((k) => new Secret(k as Hex)),
    submitterKey: submitterKey === undefined ? undefined : new Secret(submitterKey as Hex),
    platformSecrets: new Map(Object.entries(platformSecrets).map(([name, s]) => [name, new Secret(s)])),
    keystorePassword: env.ORACLE_KEYSTORE_PASSWORD === undefined ? undefined : new Secret(env.ORACLE_KEYSTORE_PASSWORD),
  };
}

export interface LoadConfigParameters {
  /** The environment (the composition root passes `process.env`). */
  env: Record<string, string | undefined>;
  /** Overrides applied last (tests). */
  overrides?: Record<string, unknown>;
  /** Relative file paths resolve against this directory. */
  cwd?: string;
}

/** Reads and validates the configuration; throws a {@link ConfigError} naming every bad key. */
export function loadConfig({ env, overrides = {}, cwd = process.cwd() }: LoadConfigParameters): OracleConfig {
  let raw: Record<string, unknown> = {};
  const file = env.ORACLE_CONFIG;
  if (file !== undefined) {
    try {
      raw = JSON.parse(readFileSync(path.resolve(cwd, file), "utf8")) as Record<string, unknown>;
    } catch (cause) {
      throw new ConfigError(`cannot read the config file ${file}`, { cause });
    }
  }
  const fromEnv = new Map<string, string>();
  for (const [name, dotted] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== "") {
      setPath(raw, dotted, value);
      fromEnv.set(dotted, name);
    }
  }
  for (const [dotted, value] of Object.entries(overrides)) setPath(raw, dotted, value);
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const origin = (key: string) => (fromEnv.has(key) ? `${fromEnv.get(key)} (${key})` : key);
    throw new ConfigError(`invalid oracle configuration: ${formatIssues(parsed.error, origin)}`);
  }
  const { keystore, ...config } = parsed.data;
  const resolve = (p: string) => (p === ":memory:" ? p : path.resolve(cwd, p));
  return {
    ...config,
    db: { path: resolve(config.db.path) },
    policiesPath: resolve(config.policiesPath),
    artifactsDir: resolve(config.artifactsDir),
    secrets: loadSecrets(env, keystore === undefined ? undefined : resolve(keystore)),
  };
}

/** Checks that `config` has what the running service needs, naming what is missing. */
export function requireServiceConfig(config: OracleConfig): ServiceConfig {
  const missing: string[] = [];
  if (config.chain.rewardsAddress === undefined) missing.push("ORACLE_REWARDS_ADDRESS (chain.rewardsAddress)");
  if (config.secrets.signerKeys.length === 0) missing.push("ORACLE_SIGNER_KEYS (or signerKeys in the keystore)");
  if (config.secrets.submitterKey === undefined) missing.push("ORACLE_SUBMITTER_KEY");
  if (config.secrets.platformSecrets.size === 0)
    missing.push("ORACLE_PLATFORM_SECRETS (or platformSecrets in the keystore)");
  if (missing.length > 0) throw new ConfigError(`the oracle service needs ${missing.join(", ")}`);
  return config as ServiceConfig;
}
