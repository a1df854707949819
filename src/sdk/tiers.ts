/**
 * The default premium tiers: their on-chain ids (positions at deployment plus one), names,
 * prices and ranks. The Ignition module deploys these defaults; the SDK and the gateway name
 * tiers with the same ids. Governance can add tiers later (ids 3+), change prices, or disable
 * a tier.
 */
const TOKEN = 10n ** 18n;

export const TierId = {
  none: 0,
  plus: 1,
  pro: 2,
} as const;

export type TierName = Exclude<keyof typeof TierId, "none">;

export interface TierDefault {
  id: number;
  name: TierName;
  /** Price of one 30-day period, in the token's smallest unit. */
  price: bigint;
  /** A higher rank is a higher tier: upgrades convert remaining time, downgrades wait for expiry. */
  rank: number;
}

/**
 * Prices in terms of what contributors earn: Plus costs about 20 completed tasks (5 CRED each)
 * a month, Pro about four merged bug fixes (100 CRED each).
 */
export const DEFAULT_TIERS: readonly TierDefault[] = [
  { id: 1, name: "plus", price: 100n * TOKEN, rank: 10 },
  { id: 2, name: "pro", price: 400n * TOKEN, rank: 20 },
];

/** The length of one premium period, in seconds (CreditSpender.PERIOD). */
export const PREMIUM_PERIOD = 30n * 24n * 60n * 60n;
