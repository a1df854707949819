/**
 * Proposal files: a description and a list of actions, in words and token units, that become
 * the governor's `propose(targets, values, calldatas, description)`. The format is documented
 * in docs/proposals.md, with examples in examples/proposals/.
 *
 * ```json
 * {
 *   "description": "# Fund the documentation sprint\n\nGrants 50,000 CRED to ...",
 *   "actions": [{ "type": "treasuryGrant", "to": "0x976E...0aa9", "amount": "50000" }]
 * }
 * ```
 *
 * Amounts are in whole tokens ("1000" is 1000 CRED, "0.5" half a token), as decimal strings or
 * plain JSON numbers; basis points and seconds are integers. Calldata is encoded with the ABIs
 * Hardhat compiled (TypeChain factories), never a hand-written ABI.
 */
import { formatUnits, getAddress as checksum, parseUnits } from "ethers";
import type { ParamType } from "ethers";
import { getAddress, isAddress } from "viem";
import type { Address, Hex } from "viem";
import { z } from "zod";

import {
  ContributionRewards__factory,
  CreditGovernor__factory,
  CreditSpender__factory,
  CreditToken__factory,
  EmissionController__factory,
  RedemptionVault__factory,
  TimelockController__factory,
} from "../../types/ethers-contracts/index.js";
import { CategoryId, DEFAULT_CATEGORIES } from "./categories.js";
import type { CategoryName } from "./categories.js";
import type { SystemAddresses, SystemContract } from "./deployments.js";
import { formatAmount } from "./formatAmount.js";
import type { Policy } from "./emissionPolicy.js";

/** The most signers ContributionRewards accepts (its MAX_SIGNERS). */
const MAX_SIGNERS = 32;
const MAX_BPS = 10_000;

const address = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), { message: "not an address" })
  .transform((value) => getAddress(value));

const DECIMAL = /^\d+(\.\d+)?$/;

/** A non-negative decimal amount in whole units: "1000", "0.5", or a JSON number. */
const decimal = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = typeof value === "number" ? String(value) : value.replaceAll("_", "");
  if (!DECIMAL.test(text)) {
    ctx.addIssue({
      code: "custom",
      message:
        `expected a non-negative decimal amount such as "1000" or "0.5", got ${JSON.stringify(value)}` +
        (typeof value === "number" ? " (write large amounts as strings)" : ""),
    });
    return z.NEVER;
  }
  return text;
});

const integer = (max: number) => z.number().int().min(0).max(max);

const categoryNames = Object.keys(CategoryId) as [CategoryName, ...CategoryName[]];

/** Moves treasury tokens (held by the timelock) to `to`. */
const treasuryGrant = z.strictObject({
  type: z.literal("treasuryGrant"),
  to: address,
  amount: decimal,
});

/** Changes a category's base reward (at most ×2 or ÷2, once per epoch: the contract's bounds). */
const setCategoryRate = z.strictObject({
  type: z.literal("setCategoryRate"),
  /** A category id, or the name of a default category ("bugReport"). */
  category: z.union([integer(255), z.enum(categoryNames)]),
  /** The reward for quality 1.0x at reward scale 1.0, in tokens. */
  baseReward: decimal,
});

/** Replaces the oracle signer set; every signature made for the old set stops counting. */
const rotateSigners = z
  .strictObject({
    type: z.literal("rotateSigners"),
    signers: z.array(address).min(1).max(MAX_SIGNERS),
    threshold: z.number().int().min(1),
  })
  .superRefine((action, ctx) => {
    if (action.threshold > action.signers.length) {
      ctx.addIssue({
        code: "custom",
        path: ["threshold"],
        message: `threshold ${action.threshold} is more than the ${action.signers.length} signers`,
      });
    }
    const seen = new Set<string>();
    for (const signer of action.signers) {
      if (seen.has(signer)) ctx.addIssue({ code: "custom", path: ["signers"], message: `${signer} appears twice` });
      seen.add(signer);
    }
  });

/** Some policy fields; the others keep their current on-chain values. */
const policyChanges = z
  .strictObject({
    /** Seconds per epoch. */
    epochLength: z.number().int().min(1),
    maxBudgetStepBps: integer(MAX_BPS),
    annualInflationBps: integer(MAX_BPS),
    recycleBps: integer(MAX_BPS),
    maxScaleStepBps: integer(MAX_BPS),
    /** The lowest reward scale, as a decimal: "0.1". */
    minRewardScale: decimal,
    /** Tokens. */
    budgetFloor: decimal,
    /** Tokens. */
    budgetMax: decimal,
  })
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, { message: "name at least one policy field to change" });

/** Changes the emission policy from the next epoch: the given fields over the current policy. */
const setEmissionPolicy = z.strictObject({
  type: z.literal("setEmissionPolicy"),
  policy: policyChanges,
});

const action = z.discriminatedUnion("type", [treasuryGrant, setCategoryRate, rotateSigners, setEmissionPolicy]);

/** The schema of a proposal file. */
export const proposalFileSchema = z.strictObject({
  /** The proposal's description; by convention its first line is a Markdown title (Tally shows it). */
  description: z.string().trim().min(1, "the description is empty"),
  actions: z.array(action).min(1, "a proposal needs at least one action"),
});

/** A validated proposal file (amounts still in token units). */
export type ProposalFile = z.output<typeof proposalFileSchema>;
export type ProposalAction = ProposalFile["actions"][number];
/** The policy fields a `setEmissionPolicy` action changes, in file units. */
export type PolicyChanges = z.output<typeof policyChanges>;

/** A proposal file that does not match the schema; `issues` say where and why. */
export class ProposalFileError extends Error {
  override name = "ProposalFileError";
  constructor(
    readonly shortMessage: string,
    readonly issues: string[] = [],
  ) {
    super(issues.length > 0 ? `${shortMessage}: ${issues.join("; ")}` : shortMessage);
  }
}

/**
 * Validates the content of a proposal file.
 * @param json The parsed JSON.
 * @param source The file name, for messages.
 * @throws {ProposalFileError} naming each field that is wrong.
 */
export function parseProposalFile(json: unknown, source = "the proposal file"): ProposalFile {
  const parsed = proposalFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ProposalFileError(
      `${source} is not a valid proposal`,
      parsed.error.issues.map(
        (issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(file)"}: ${issue.message}`,
      ),
    );
  }
  return parsed.data;
}

/** The arguments of `CreditGovernor.propose`, with a readable line per action. */
export interface EncodedProposal {
  targets: Address[];
  values: bigint[];
  calldatas: Hex[];
  description: string;
  /** One line per action, in words, for the proposer to review. */
  summaries: string[];
}

export interface EncodeProposalParameters {
  proposal: ProposalFile;
  addresses: Pick<SystemAddresses, "token" | "emission" | "rewards">;
  /** The token's decimals (18 for CreditToken). */
  decimals: number;
  /** The token's symbol, for the summaries. */
  symbol?: string;
  /** The emission policy in force; required by `setEmissionPolicy` actions. */
  currentPolicy?: Policy;
}

const tokenInterface = CreditToken__factory.createInterface();
const rewardsInterface = ContributionRewards__factory.createInterface();
const emissionInterface = EmissionController__factory.createInterface();

/** A category id from its id or default name. */
export function categoryIdOf(category: number | CategoryName): number {
  return typeof category === "number" ? category : CategoryId[category];
}

function categoryLabel(id: number): string {
  const known = DEFAULT_CATEGORIES.find((category) => category.id === id);
  return known ? `${known.name} (${id})` : `category ${id}`;
}

/** The policy after applying `changes` (token amounts and the scale converted to wei). */
export function mergePolicy(current: Policy, changes: PolicyChanges, decimals: number): Policy {
  return {
    epochLength: changes.epochLength === undefined ? current.epochLength : BigInt(changes.epochLength),
    maxBudgetStepBps:
      changes.maxBudgetStepBps === undefined ? current.maxBudgetStepBps : BigInt(changes.maxBudgetStepBps),
    annualInflationBps:
      changes.annualInflationBps === undefined ? current.annualInflationBps : BigInt(changes.annualInflationBps),
    recycleBps: changes.recycleBps === undefined ? current.recycleBps : BigInt(changes.recycleBps),
    maxScaleStepBps: changes.maxScaleStepBps === undefined ? current.maxScaleStepBps : BigInt(changes.maxScaleStepBps),
    minRewardScale:
      changes.minRewardScale === undefined ? current.minRewardScale : parseUnits(changes.minRewardScale, 18),
    budgetFloor: changes.budgetFloor === undefined ? current.budgetFloor : parseUnits(changes.budgetFloor, decimals),
    budgetMax: changes.budgetMax === undefined ? current.budgetMax : parseUnits(changes.budgetMax, decimals),
  };
}

/**
 * Turns a proposal file into the governor's `propose` arguments. Every call goes to a contract
 * the timelock administers (or, for grants, the token the timelock holds).
 * @throws {ProposalFileError} for an amount with more decimals than the token has, or a
 * `setEmissionPolicy` without the current policy.
 */
export function encodeProposal({
  proposal,
  addresses,
  decimals,
  symbol = "CRED",
  currentPolicy,
}: EncodeProposalParameters): EncodedProposal {
  const amount = (value: string, field: string) => {
    try {
      return parseUnits(value, decimals);
    } catch {
      throw new ProposalFileError(`${field} ${value} has more than ${decimals} decimals`);
    }
  };
  const show = (value: bigint) => `${formatAmount(value, decimals)} ${symbol}`;
  const encoded: EncodedProposal = {
    targets: [],
    values: [],
    calldatas: [],
    description: proposal.description,
    summaries: [],
  };
  const push = (target: Address, calldata: string, summary: string) => {
    encoded.targets.push(target);
    encoded.values.push(0n);
    encoded.calldatas.push(calldata as Hex);
    encoded.summaries.push(summary);
  };

  proposal.actions.forEach((action, index) => {
    const at = `actions.${index}`;
    switch (action.type) {
      case "treasuryGrant": {
        const value = amount(action.amount, `${at}.amount`);
        push(
          addresses.token,
          tokenInterface.encodeFunctionData("transfer", [action.to, value]),
          `treasury grant: ${show(value)} to ${action.to}`,
        );
        break;
      }
      case "setCategoryRate": {
        const category = categoryIdOf(action.category);
        const value = amount(action.baseReward, `${at}.baseReward`);
        push(
          addresses.rewards,
          rewardsInterface.encodeFunctionData("setBaseReward", [category, value]),
          `base reward of ${categoryLabel(category)}: ${show(value)}`,
        );
        break;
      }
      case "rotateSigners": {
        push(
          addresses.rewards,
          rewardsInterface.encodeFunctionData("setSigners", [action.signers, BigInt(action.threshold)]),
          `oracle signers: ${action.threshold} of ${action.signers.join(", ")}`,
        );
        break;
      }
      case "setEmissionPolicy": {
        if (currentPolicy === undefined) {
          throw new ProposalFileError(`${at}: setEmissionPolicy needs the current on-chain policy`);
        }
        let policy: Policy;
        try {
          policy = mergePolicy(currentPolicy, action.policy, decimals);
        } catch {
          throw new ProposalFileError(`${at}.policy: an amount has more decimals than the token has`);
        }
        const changed = Object.keys(action.policy)
          .map((key) => {
            const field = key as keyof Policy;
            return `${field} ${describePolicyField(field, currentPolicy[field], decimals)} → ${describePolicyField(field, policy[field], decimals)}`;
          })
          .join(", ");
        push(
          addresses.emission,
          emissionInterface.encodeFunctionData("setPolicy", [policy]),
          `emission policy (from the next epoch): ${changed}`,
        );
        break;
      }
    }
  });
  return encoded;
}

function describePolicyField(field: keyof Policy, value: bigint, decimals: number): string {
  switch (field) {
    case "epochLength":
      return `${value} s`;
    case "minRewardScale":
      return formatUnits(value, 18);
    case "budgetFloor":
    case "budgetMax":
      return formatAmount(value, decimals);
    default:
      return `${value} bps`;
  }
}

const CONTRACT_LABELS: Record<SystemContract, string> = {
  token: "CreditToken",
  timelock: "TimelockController",
  governor: "CreditGovernor",
  emission: "EmissionController",
  rewards: "ContributionRewards",
  spender: "CreditSpender",
  vault: "RedemptionVault",
};

const INTERFACES = {
  token: tokenInterface,
  timelock: TimelockController__factory.createInterface(),
  governor: CreditGovernor__factory.createInterface(),
  emission: emissionInterface,
  rewards: rewardsInterface,
  spender: CreditSpender__factory.createInterface(),
  vault: RedemptionVault__factory.createInterface(),
} as const;

export interface DescribeCallParameters {
  target: string;
  value: bigint;
  calldata: string;
  /** The system's addresses; contracts left out are shown as raw calls. */
  addresses: Partial<SystemAddresses>;
  decimals: number;
  symbol?: string;
}

/**
 * One proposal action in words: `CreditToken.transfer(to: 0x…, value: 50000.0 CRED)` for a call
 * to a contract of the system, the raw target and calldata otherwise.
 */
export function describeCall({
  target,
  value,
  calldata,
  addresses,
  decimals,
  symbol = "CRED",
}: DescribeCallParameters): string {
  const entry = (Object.entries(addresses) as [SystemContract, Address | undefined][]).find(
    ([, known]) => known?.toLowerCase() === target.toLowerCase(),
  );
  const eth = value > 0n ? ` with ${formatUnits(value, 18)} ETH` : "";
  if (entry === undefined) return `call ${checksum(target.toLowerCase())} with data ${calldata}${eth}`;
  const [name] = entry;
  const parsed = INTERFACES[name].parseTransaction({ data: calldata });
  if (parsed === null) return `${CONTRACT_LABELS[name]}: unknown call ${calldata.slice(0, 10)}${eth}`;
  const amount = (value: bigint) => `${formatAmount(value, decimals)} ${symbol}`;
  const args = parsed.fragment.inputs.map((input, i) => `${input.name}: ${formatArg(input, parsed.args[i], amount)}`);
  return `${CONTRACT_LABELS[name]}.${parsed.name}(${args.join(", ")})${eth}`;
}

/** Arguments that are token amounts, by name, in the setters a proposal calls. */
const TOKEN_AMOUNT_ARGS = new Set(["value", "amount", "newReward", "baseReward", "budgetFloor", "budgetMax"]);

function formatArg(type: ParamType, arg: unknown, amount: (value: bigint) => string): string {
  if (type.isTuple() && Array.isArray(arg)) {
    return `{ ${type.components.map((component, i) => `${component.name}: ${formatArg(component, arg[i], amount)}`).join(", ")} }`;
  }
  if (type.isArray() && Array.isArray(arg)) {
    return `[${arg.map((item) => formatArg(type.arrayChildren, item, amount)).join(", ")}]`;
  }
  if (typeof arg === "bigint") {
    if (TOKEN_AMOUNT_ARGS.has(type.name)) return amount(arg);
    if (type.name === "minRewardScale") return formatAmount(arg, 18);
    return arg.toString();
  }
  return String(arg);
}
