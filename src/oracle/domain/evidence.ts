/**
 * The contribution event as the LLM platform sends it, and the evidence each category carries.
 * Strict schemas: unknown keys are errors, strings have patterns, numbers have ranges, so what
 * passes is what the scoring policies understand.
 */
import { getAddress, isAddress, zeroAddress } from "viem";
import type { Address } from "viem";
import { z } from "zod";

import { CategoryId } from "../../sdk/categories.js";
import type { CategoryName } from "../../sdk/categories.js";

const count = (max = 1_000_000) => z.number().int().min(0).max(max);
const bps = z.number().int().min(0).max(10_000);
const severity = z.enum(["low", "medium", "high", "critical"]);
const slug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, "letters, digits and . _ : / - only (≤128)");

export const evidenceSchemas = {
  taskCompletion: z.strictObject({
    taskId: slug,
    completed: z.boolean(),
    rating: z.number().int().min(1).max(5),
    durationSeconds: count(86_400 * 30),
  }),
  qualityInput: z.strictObject({
    kind: z.enum(["prompt", "feedback"]),
    helpfulVotes: count(),
    totalVotes: count(),
  }),
  dataAnnotation: z.strictObject({
    /** Inter-annotator agreement, in basis points. */
    agreementBps: bps,
    itemCount: z.number().int().min(1).max(100_000),
  }),
  bugReport: z.strictObject({
    severity,
    reproduction: z.enum(["confirmed", "not_reproduced", "pending"]),
    duplicate: z.boolean(),
  }),
  moderation: z.strictObject({
    decisions: z.number().int().min(1).max(100_000),
    /** Share of decisions upheld on review, in basis points. */
    accuracyBps: bps,
  }),
  educationalContent: z.strictObject({
    format: z.enum(["tutorial", "guide", "video"]),
    /** Mean review score, 0–100. */
    reviewScore: z.number().int().min(0).max(100),
    reviewers: count(10_000),
  }),
  bugFix: z.strictObject({
    repository: z.string().regex(/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/, "owner/name"),
    pullRequest: z.number().int().min(1).max(1_000_000_000),
    merged: z.boolean(),
    severity,
    linesChanged: count(),
    testsAdded: z.boolean(),
  }),
  optimisation: z.strictObject({
    metric: slug,
    /** Measured improvement, in basis points (1_500 = 15%). */
    improvementBps: z.number().int().min(0).max(100_000),
    verified: z.boolean(),
  }),
  communityEvent: z.strictObject({
    attendees: count(100_000),
    durationMinutes: count(60 * 24 * 7),
    /** Mean attendee feedback, 0–100. */
    feedbackScore: z.number().int().min(0).max(100),
  }),
} as const satisfies Record<CategoryName, z.ZodType>;

export type Evidence = { [K in CategoryName]: z.infer<(typeof evidenceSchemas)[K]> };

/** A checksummed (EIP-55), non-zero address; all-lowercase or wrongly-cased input is refused. */
export const checksummedAddress = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), "not an address (0x followed by 40 hex digits)")
  .refine(
    (value) => !isAddress(value, { strict: false }) || getAddress(value) === value,
    "not an EIP-55 checksummed address",
  )
  .refine((value) => value !== zeroAddress, "the zero address cannot be rewarded")
  .transform((value) => value as Address);

export const eventIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "1–128 characters: letters, digits and . _ : - only");

const common = {
  eventId: eventIdSchema,
  contributor: checksummedAddress,
  /** When the contribution happened on the platform (informational). */
  occurredAt: z.iso.datetime({ offset: true }).optional(),
};

function event<K extends CategoryName>(category: K) {
  return z.strictObject({ ...common, category: z.literal(category), evidence: evidenceSchemas[category] });
}

/** The body of POST /v1/contributions. */
export const contributionEventSchema = z.discriminatedUnion("category", [
  event("taskCompletion"),
  event("qualityInput"),
  event("dataAnnotation"),
  event("bugReport"),
  event("moderation"),
  event("educationalContent"),
  event("bugFix"),
  event("optimisation"),
  event("communityEvent"),
]);

export type ContributionEvent = z.infer<typeof contributionEventSchema>;

export const CATEGORY_NAMES = Object.keys(CategoryId) as CategoryName[];

export function categoryIdOf(name: CategoryName): number {
  return CategoryId[name];
}

export function categoryNameOf(id: number): CategoryName | undefined {
  return CATEGORY_NAMES.find((name) => CategoryId[name] === id);
}
