/**
 * Scores a run of received contributions in id order, applying the per-contributor daily
 * limits: the first `dailyLimits[category]` accepted contributions of a contributor in a
 * category on a UTC day pass, later ones are rejected with `daily_limit_exceeded`. Given the
 * same rows and counts it always returns the same results.
 */
import { categoryNameOf, evidenceSchemas } from "./evidence.js";
import type { RejectionReason, ScoringPolicy } from "./policies.js";
import { scoreEvidence } from "./policies.js";

export interface ReceivedContribution {
  id: number;
  contributor: string;
  category: number;
  /** The evidence as stored (JSON text). */
  evidence: string;
  day: string;
}

export type ScoredContribution =
  | { id: number; accepted: true; quality: number; policyVersion: string }
  | {
      id: number;
      accepted: false;
      reason: RejectionReason | "unknown_category" | "invalid_evidence";
      policyVersion: string;
    };

export function dailyLimitKey(contributor: string, category: number, day: string): string {
  return `${contributor}|${category}|${day}`;
}

export interface ScoreContributionsParameters {
  items: readonly ReceivedContribution[];
  policy: ScoringPolicy;
  /** Contributions already accepted per {@link dailyLimitKey}, before these items. */
  acceptedCounts: ReadonlyMap<string, number>;
}

export function scoreContributions({
  items,
  policy,
  acceptedCounts,
}: ScoreContributionsParameters): ScoredContribution[] {
  const counts = new Map(acceptedCounts);
  const policyVersion = policy.version;
  return [...items]
    .sort((a, b) => a.id - b.id)
    .map((item): ScoredContribution => {
      const category = categoryNameOf(item.category);
      if (category === undefined) return { id: item.id, accepted: false, reason: "unknown_category", policyVersion };
      const parsed = evidenceSchemas[category].safeParse(JSON.parse(item.evidence));
      if (!parsed.success) return { id: item.id, accepted: false, reason: "invalid_evidence", policyVersion };
      const result = scoreEvidence({ category, evidence: parsed.data, policy });
      if (!result.accepted) return { id: item.id, accepted: false, reason: result.reason, policyVersion };
      const key = dailyLimitKey(item.contributor, item.category, item.day);
      const used = counts.get(key) ?? 0;
      if (used >= policy.dailyLimits[category]) {
        return { id: item.id, accepted: false, reason: "daily_limit_exceeded", policyVersion };
      }
      counts.set(key, used + 1);
      return { id: item.id, accepted: true, quality: result.quality, policyVersion };
    });
}
