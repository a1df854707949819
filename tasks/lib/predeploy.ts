/**
 * Pre-deploy checks: before anything is sent, the RPC must be the chain the parameter file was
 * written for, the file must hold no placeholder, and every address it names must be what the
 * file says it is on *this* chain: an EOA (no code; a key signs for it), a contract, a Safe, or
 * the zero address ("none"). In 2022, 20M OP were sent to a Safe address that existed only on
 * another chain; a Safe deployed on one chain is not deployed on the next.
 *
 * The expectations live in the parameter file itself, in a `$predeploy` section that Ignition
 * ignores (it reads parameters by module id):
 *
 * ```json
 * "$predeploy": {
 *   "chainId": 11155111,
 *   "accounts": {
 *     "CreditGovernanceModule.proposalGuardian": "safe",
 *     "CreditGovernanceModule.genesisRecipients": ["safe", "eoa"],
 *     "CreditRewardsModule.oracleSigners": "eoa"
 *   }
 * }
 * ```
 */
import { z } from "zod";

/** What an address must be on the deployment chain. */
export const ACCOUNT_KINDS = ["eoa", "contract", "safe", "none"] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

const kind = z.enum(ACCOUNT_KINDS);

/** The modules a parameter file may deploy; the local one only on the development chain. */
export const DEPLOYABLE_MODULES = ["CreditSystemModule", "LocalCreditSystemModule"] as const;

export const predeploySchema = z.strictObject({
  /** The chain the file is for. */
  chainId: z.number().int().positive(),
  /**
   * Which module to deploy: CreditSystemModule (the default, every real network) or
   * LocalCreditSystemModule (adds a test stablecoin with an open mint: chain 31337 only).
   */
  module: z.enum(DEPLOYABLE_MODULES).default("CreditSystemModule"),
  /** `Module.parameter` → the kind of its address, or one kind per entry of an address list. */
  accounts: z.record(z.string().regex(/^\w+\.\w+$/, "expected Module.parameter"), z.union([kind, z.array(kind)])),
});
export type Predeploy = z.output<typeof predeploySchema>;

/** The section of a parameter file that holds the expectations. */
export const PREDEPLOY_KEY = "$predeploy";

/** The minimal EIP-1193 provider the checks need. */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export interface CheckDeploymentParameters {
  provider: Eip1193Provider;
  /** The parameter file, parsed. */
  parameters: Record<string, unknown>;
  /** The chain id in the Hardhat network config, if it sets one. */
  networkChainId?: number;
  /** The account that will deploy (Ignition's default sender). */
  deployer: string;
}

export interface CheckDeploymentReturnType {
  /** The RPC's chain id. */
  chainId: number;
  /** What was checked and found right, one line each. */
  passed: string[];
  /** What is wrong, one line each: any problem refuses the deployment. */
  problems: string[];
  /** The module the file deploys. */
  module: (typeof DEPLOYABLE_MODULES)[number];
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const ZERO_ADDRESS = /^0x0{40}$/;
const PLACEHOLDER = /^<.*>$/s;
/** EIP-7702: an EOA delegated to code has `0xef0100 || address` as its code. */
const DELEGATION = /^0xef0100[0-9a-fA-F]{40}$/i;
/** Safe's `getThreshold()` and `getOwners()`. */
const GET_THRESHOLD = "0xe75235b8";

/**
 * Runs the checks against the connected chain. Never throws for a finding: every finding is a
 * line in `problems`.
 */
export async function checkDeployment({
  provider,
  parameters,
  networkChainId,
  deployer,
}: CheckDeploymentParameters): Promise<CheckDeploymentReturnType> {
  const passed: string[] = [];
  const problems: string[] = [];
  const chainId = Number(await provider.request({ method: "eth_chainId" }));

  const parsed = predeploySchema.safeParse(parameters[PREDEPLOY_KEY]);
  if (!parsed.success) {
    problems.push(
      parameters[PREDEPLOY_KEY] === undefined
        ? `the parameter file has no "${PREDEPLOY_KEY}" section (the chain id and the kind of each address)`
        : `"${PREDEPLOY_KEY}" is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  const predeploy = parsed.success ? parsed.data : undefined;

  // 1. The chain.
  let rightChain = true;
  if (predeploy !== undefined) {
    if (predeploy.module === "LocalCreditSystemModule" && chainId !== 31337) {
      problems.push(`LocalCreditSystemModule (a test stablecoin with an open mint) deploys to chain 31337 only`);
    }
    if (predeploy.chainId === chainId) passed.push(`the RPC is chain ${chainId}, as the parameter file says`);
    else {
      rightChain = false;
      problems.push(`the RPC is chain ${chainId}, but the parameter file is for chain ${predeploy.chainId}`);
    }
  }
  if (networkChainId !== undefined && networkChainId !== chainId) {
    rightChain = false;
    problems.push(`the RPC is chain ${chainId}, but the Hardhat network is configured for chain ${networkChainId}`);
  }

  // 2. Placeholders, anywhere in the module sections.
  const modules = Object.entries(parameters).filter(([key]) => key !== PREDEPLOY_KEY);
  for (const [path, value] of leaves(Object.fromEntries(modules))) {
    if (typeof value === "string" && PLACEHOLDER.test(value)) problems.push(`${path} is a placeholder: ${value}`);
  }

  // 3. Every address parameter has an expectation, and the chain agrees with it.
  const expectations = predeploy?.accounts ?? {};
  const addressParameters: [key: string, addresses: string[], isList: boolean][] = [];
  for (const [moduleId, section] of modules) {
    if (section === null || typeof section !== "object") continue;
    for (const [name, value] of Object.entries(section as Record<string, unknown>)) {
      const list = Array.isArray(value) ? value : [value];
      if (list.length > 0 && list.every((item) => typeof item === "string" && ADDRESS.test(item))) {
        addressParameters.push([`${moduleId}.${name}`, list as string[], Array.isArray(value)]);
      }
    }
  }
  for (const [key, addresses, isList] of addressParameters) {
    const expected = expectations[key];
    if (expected === undefined) {
      problems.push(
        `${key} names addresses but "${PREDEPLOY_KEY}.accounts" does not say what they must be (${ACCOUNT_KINDS.join(", ")})`,
      );
      continue;
    }
    if (Array.isArray(expected) && expected.length !== addresses.length) {
      problems.push(`${key} has ${addresses.length} addresses but ${expected.length} expected kinds`);
      continue;
    }
    if (!rightChain) continue; // code on another chain proves nothing
    for (const [i, address] of addresses.entries()) {
      const what = Array.isArray(expected) ? expected[i]! : expected;
      const label = isList ? `${key}[${i}] ${address}` : `${key} ${address}`;
      const finding = await checkAccount(provider, address, what, chainId);
      if (finding.ok) passed.push(`${label}: ${finding.message}`);
      else problems.push(`${label}: ${finding.message}`);
    }
  }
  for (const key of Object.keys(expectations)) {
    if (parameterValue(parameters, key) === undefined) {
      problems.push(`"${PREDEPLOY_KEY}.accounts" names ${key}, which the parameter file does not set`);
    }
  }

  // 4. The deployer: a key on this chain, with funds for gas.
  if (rightChain) {
    const deployerFinding = await checkAccount(provider, deployer, "eoa", chainId);
    const balance = BigInt(
      (await provider.request({ method: "eth_getBalance", params: [deployer, "latest"] })) as string,
    );
    if (!deployerFinding.ok) problems.push(`the deployer ${deployer}: ${deployerFinding.message}`);
    else if (balance === 0n) problems.push(`the deployer ${deployer} has no funds on chain ${chainId}`);
    else passed.push(`the deployer ${deployer}: ${deployerFinding.message}, with ${formatEther(balance)} ETH`);
  }
  return { chainId, passed, problems, module: predeploy?.module ?? "CreditSystemModule" };
}

async function checkAccount(
  provider: Eip1193Provider,
  address: string,
  expected: AccountKind,
  chainId: number,
): Promise<{ ok: boolean; message: string }> {
  const zero = ZERO_ADDRESS.test(address);
  if (expected === "none") {
    return zero
      ? { ok: true, message: "none (the zero address)" }
      : { ok: false, message: 'expected "none" (the zero address)' };
  }
  if (zero) return { ok: false, message: `is the zero address, but ${article(expected)} is expected` };
  const code = (await provider.request({ method: "eth_getCode", params: [address, "latest"] })) as string;
  const hasCode = code !== "0x" && code !== "0x0" && code !== "";
  const delegated = DELEGATION.test(code);
  if (expected === "eoa") {
    if (!hasCode) return { ok: true, message: `an EOA on chain ${chainId}` };
    if (delegated) return { ok: true, message: `an EOA (with an EIP-7702 delegation to 0x${code.slice(8)})` };
    return {
      ok: false,
      message: `has contract code on chain ${chainId}, but an EOA is expected (a key must sign for it)`,
    };
  }
  if (!hasCode || delegated) {
    return {
      ok: false,
      message:
        `has no contract code on chain ${chainId}, but ${article(expected)} is expected ` +
        "(is it deployed on this chain? a Safe on one chain does not exist on another)",
    };
  }
  if (expected === "contract") return { ok: true, message: `a contract on chain ${chainId}` };
  try {
    const result = (await provider.request({
      method: "eth_call",
      params: [{ to: address, data: GET_THRESHOLD }, "latest"],
    })) as string;
    const threshold = result.length === 66 ? BigInt(result) : 0n;
    if (threshold >= 1n) return { ok: true, message: `a Safe with threshold ${threshold} on chain ${chainId}` };
  } catch {
    // not a Safe: reported below
  }
  return { ok: false, message: `is a contract on chain ${chainId} but not a Safe (getThreshold() gives no threshold)` };
}

function article(kind: AccountKind): string {
  return kind === "eoa" ? "an EOA" : kind === "safe" ? "a Safe" : "a contract";
}

function formatEther(wei: bigint): string {
  const whole = wei / 10n ** 18n;
  const fraction = (wei % 10n ** 18n).toString().padStart(18, "0").slice(0, 4).replace(/0+$/, "");
  return fraction.length > 0 ? `${whole}.${fraction}` : whole.toString();
}

function parameterValue(parameters: Record<string, unknown>, key: string): unknown {
  const [moduleId = "", name = ""] = key.split(".");
  const section = parameters[moduleId];
  return section !== null && typeof section === "object" ? (section as Record<string, unknown>)[name] : undefined;
}

/** Every leaf value with its path (`Module.parameter[i]`). */
function* leaves(value: unknown, path = ""): Generator<[string, unknown]> {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* leaves(item, `${path}[${i}]`);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) yield* leaves(item, path === "" ? key : `${path}.${key}`);
  } else {
    yield [path, value];
  }
}
