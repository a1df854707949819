/**
 * The default contribution categories: their on-chain ids (positions at deployment), names,
 * base rewards and reserved shares. The Ignition module deploys these defaults; the oracle
 * and the SDK name categories with the same ids. Governance can add categories later (ids 9+).
 */
const TOKEN = 10n ** 18n;

export const CategoryId = {
  taskCompletion: 0,
  qualityInput: 1,
  dataAnnotation: 2,
  bugReport: 3,
  moderation: 4,
  educationalContent: 5,
  bugFix: 6,
  optimisation: 7,
  communityEvent: 8,
} as const;

export type CategoryName = keyof typeof CategoryId;

export interface CategoryDefault {
  id: number;
  name: CategoryName;
  /** Reward for quality 1.0x at reward scale 1.0, in the token's smallest unit. */
  baseReward: bigint;
  /** Share of each epoch's limit reserved for the category, in basis points. */
  reserveBps: number;
}

/**
 * Rates reflect effort and value: a merged bug fix or a community event is worth far more than
 * one completed task. The reserves (25% in all) keep a flood of cheap task completions from
 * starving bug fixes, optimisations, tutorials and bug reports.
 */
export const DEFAULT_CATEGORIES: readonly CategoryDefault[] = [
  { id: 0, name: "taskCompletion", baseReward: 5n * TOKEN, reserveBps: 0 },
  { id: 1, name: "qualityInput", baseReward: 3n * TOKEN, reserveBps: 0 },
  { id: 2, name: "dataAnnotation", baseReward: 2n * TOKEN, reserveBps: 0 },
  { id: 3, name: "bugReport", baseReward: 25n * TOKEN, reserveBps: 500 },
  { id: 4, name: "moderation", baseReward: 2n * TOKEN, reserveBps: 0 },
  { id: 5, name: "educationalContent", baseReward: 50n * TOKEN, reserveBps: 500 },
  { id: 6, name: "bugFix", baseReward: 100n * TOKEN, reserveBps: 1000 },
  { id: 7, name: "optimisation", baseReward: 80n * TOKEN, reserveBps: 500 },
  { id: 8, name: "communityEvent", baseReward: 150n * TOKEN, reserveBps: 0 },
];

/** Hard limits of every base reward, fixed at deployment. */
export const BASE_REWARD_LIMITS = { min: TOKEN / 100n, max: 10_000n * TOKEN } as const;
