/**
 * The contribution state machine. Every accepted contribution ends `confirmed` (minted once)
 * or `rejected` (with a reason); nothing else is terminal.
 *
 *   received ──score──► scored ──batch──► batched ──broadcast──► submitted ──depth──► confirmed
 *       │                  ▲                 │                       │
 *       └──► rejected      │                 └───── batch failed ────┤ (re-batched, same id)
 *                          │                                         ▼
 *                          └──────────── next epoch ─────────────  deferred
 */
export const CONTRIBUTION_STATES = [
  "received",
  "scored",
  "rejected",
  "batched",
  "submitted",
  "confirmed",
  "deferred",
] as const;
export type ContributionState = (typeof CONTRIBUTION_STATES)[number];

/** The states a contribution may move to from each state. */
export const CONTRIBUTION_TRANSITIONS: Record<ContributionState, readonly ContributionState[]> = {
  received: ["scored", "rejected"],
  scored: ["batched"],
  rejected: ["scored"], // only by the operator (requeue), e.g. after a category was re-enabled
  batched: ["submitted", "scored"],
  submitted: ["confirmed", "deferred", "scored"],
  deferred: ["batched", "scored"],
  confirmed: [],
};

export function canTransition(from: ContributionState, to: ContributionState): boolean {
  return CONTRIBUTION_TRANSITIONS[from].includes(to);
}

export const BATCH_STATES = ["signed", "submitted", "confirmed", "failed"] as const;
export type BatchState = (typeof BATCH_STATES)[number];
