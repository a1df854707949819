/**
 * Scoring policies: deterministic functions from a category's evidence to a quality in basis
 * points (10_000 = 1.0×) or to a rejection with a reason. Integer arithmetic only, no clock,
 * no randomness: the same evidence under the same policy version always scores the same.
 * The parameters live in a versioned JSON file; the version is recorded on every attestation
 * (and committed in the batch manifest).
 */
import { z } from "zod";

import type { CategoryName } from "../../sdk/categories.js";
import type { Evidence } from "./evidence.js";

const bps = z.number().int().min(0).max(50_000);
const n = z.number().int().min(0);
const severityTable = z.strictObject({ low: bps, medium: bps, high: bps, critical: bps });

export const policyFileSchema = z.strictObject({
  /** Recorded on every attestation; change it whenever a parameter changes. */
  version: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  /** Upper bound of every quality (must not exceed the contract's maxQualityBps). */
  maxQualityBps: z.number().int().min(1).max(50_000),
  /** Accepted contributions per contributor, category and UTC day; the rest are rejected. */
  dailyLimits: z.strictObject({
    taskCompletion: n,
    qualityInput: n,
    dataAnnotation: n,
    bugReport: n,
    moderation: n,
    educationalContent: n,
    bugFix: n,
    optimisation: n,
    communityEvent: n,
  }),
  categories: z.strictObject({
    taskCompletion: z.strictObject({
      minRating: z.number().int().min(1).max(5),
      minDurationSeconds: n,
      qualityByRating: z.tuple([bps, bps, bps, bps, bps]),
    }),
    qualityInput: z.strictObject({ minVotes: n, minHelpfulBps: bps, promptBonusBps: bps }),
    dataAnnotation: z.strictObject({
      minAgreementBps: bps,
      minItems: n,
      volumeCap: z.number().int().min(1),
      volumeBonusBps: bps,
    }),
    bugReport: z.strictObject({ severityBps: severityTable }),
    moderation: z.strictObject({ minDecisions: n, minAccuracyBps: bps }),
    educationalContent: z.strictObject({ minReviewers: n, minReviewScore: n, bpsPerPoint: bps }),
    bugFix: z.strictObject({ severityBps: severityTable, testsBonusBps: bps }),
    optimisation: z.strictObject({ minImprovementBps: n, baseBps: bps, slopeBps: bps }),
    communityEvent: z.strictObject({
      minAttendees: n,
      bpsPerFeedbackPoint: bps,
      bpsPerAttendee: bps,
      attendeeCap: z.number().int().min(1),
    }),
  }),
});

export type ScoringPolicy = z.infer<typeof policyFileSchema>;

export type ScoreResult = { accepted: true; quality: number } | { accepted: false; reason: RejectionReason };

export const REJECTION_REASONS = [
  "task_not_completed",
  "low_rating",
  "too_fast",
  "too_few_votes",
  "not_helpful",
  "low_agreement",
  "too_few_items",
  "duplicate_report",
  "not_reproduced",
  "reproduction_pending",
  "too_few_decisions",
  "low_accuracy",
  "too_few_reviews",
  "low_review_score",
  "not_merged",
  "not_verified",
  "improvement_too_small",
  "too_few_attendees",
  "zero_quality",
  "daily_limit_exceeded",
  "rejected_on_chain",
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

const BPS = 10_000;

function reject(reason: RejectionReason): ScoreResult {
  return { accepted: false, reason };
}

function quality(policy: ScoringPolicy, value: number): ScoreResult {
  const q = Math.min(Math.trunc(value), policy.maxQualityBps);
  return q <= 0 ? reject("zero_quality") : { accepted: true, quality: q };
}

type Scorers = { [K in CategoryName]: (evidence: Evidence[K], policy: ScoringPolicy) => ScoreResult };

const scorers: Scorers = {
  taskCompletion(e, policy) {
    const p = policy.categories.taskCompletion;
    if (!e.completed) return reject("task_not_completed");
    if (e.rating < p.minRating) return reject("low_rating");
    if (e.durationSeconds < p.minDurationSeconds) return reject("too_fast");
    return quality(policy, p.qualityByRating[e.rating - 1]!);
  },
  qualityInput(e, policy) {
    const p = policy.categories.qualityInput;
    if (e.totalVotes < p.minVotes || e.totalVotes === 0) return reject("too_few_votes");
    const helpful = Math.floor((Math.min(e.helpfulVotes, e.totalVotes) * BPS) / e.totalVotes);
    if (helpful < p.minHelpfulBps) return reject("not_helpful");
    return quality(policy, helpful + (e.kind === "prompt" ? p.promptBonusBps : 0));
  },
  dataAnnotation(e, policy) {
    const p = policy.categories.dataAnnotation;
    if (e.agreementBps < p.minAgreementBps) return reject("low_agreement");
    if (e.itemCount < p.minItems) return reject("too_few_items");
    const volume = Math.floor((Math.min(e.itemCount, p.volumeCap) * p.volumeBonusBps) / p.volumeCap);
    return quality(policy, Math.floor((e.agreementBps * (BPS + volume)) / BPS));
  },
  bugReport(e, policy) {
    if (e.duplicate) return reject("duplicate_report");
    if (e.reproduction === "not_reproduced") return reject("not_reproduced");
    if (e.reproduction === "pending") return reject("reproduction_pending");
    return quality(policy, policy.categories.bugReport.severityBps[e.severity]);
  },
  moderation(e, policy) {
    const p = policy.categories.moderation;
    if (e.decisions < p.minDecisions) return reject("too_few_decisions");
    if (e.accuracyBps < p.minAccuracyBps) return reject("low_accuracy");
    return quality(policy, e.accuracyBps);
  },
  educationalContent(e, policy) {
    const p = policy.categories.educationalContent;
    if (e.reviewers < p.minReviewers) return reject("too_few_reviews");
    if (e.reviewScore < p.minReviewScore) return reject("low_review_score");
    return quality(policy, e.reviewScore * p.bpsPerPoint);
  },
  bugFix(e, policy) {
    const p = policy.categories.bugFix;
    if (!e.merged) return reject("not_merged");
    return quality(policy, p.severityBps[e.severity] + (e.testsAdded ? p.testsBonusBps : 0));
  },
  optimisation(e, policy) {
    const p = policy.categories.optimisation;
    if (!e.verified) return reject("not_verified");
    if (e.improvementBps < p.minImprovementBps) return reject("improvement_too_small");
    return quality(policy, p.baseBps + Math.floor((e.improvementBps * p.slopeBps) / BPS));
  },
  communityEvent(e, policy) {
    const p = policy.categories.communityEvent;
    if (e.attendees < p.minAttendees) return reject("too_few_attendees");
    const attendees = Math.min(e.attendees, p.attendeeCap);
    return quality(policy, e.feedbackScore * p.bpsPerFeedbackPoint + attendees * p.bpsPerAttendee);
  },
};

export interface ScoreEvidenceParameters<K extends CategoryName = CategoryName> {
  category: K;
  evidence: Evidence[K];
  policy: ScoringPolicy;
}

/** Scores one contribution's evidence under `policy` (daily limits are applied separately). */
export function scoreEvidence<K extends CategoryName>({
  category,
  evidence,
  policy,
}: ScoreEvidenceParameters<K>): ScoreResult {
  const scorer = scorers[category] as (evidence: Evidence[K], policy: ScoringPolicy) => ScoreResult;
  return scorer(evidence, policy);
}

/** Parses a policy file's content; throws zod's error naming the bad fields. */
export function parsePolicy(content: unknown): ScoringPolicy {
  return policyFileSchema.parse(content);
}
