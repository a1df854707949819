/** `hardhat gov epoch`: the current emission epoch (budget, limit, minted, reward scale) and the next. */
import { command } from "../lib/command.js";
import { connectSystem, DISPLAY_DECIMALS } from "../lib/connect.js";
import type { GovOptions } from "../lib/connect.js";
import { columns, formatAmount, formatBps, formatTime } from "../lib/units.js";

export default command<GovOptions>(async (args, hre) => {
  const sys = await connectSystem(hre, args);
  const { emission } = sys;
  const epoch = await emission.currentEpoch();
  const [state, next, policy, trailingYear, now] = await Promise.all([
    emission.epochState(epoch),
    emission.projectedNextEpoch(),
    emission.policy(),
    emission.mintedInTrailingYear(),
    sys.now(),
  ]);
  const scale = (value: bigint) => formatAmount(value, 18, { maxDecimals: DISPLAY_DECIMALS });
  const pct = (part: bigint, whole: bigint) => (whole === 0n ? "" : ` (${Number((part * 10_000n) / whole) / 100}%)`);
  const rows = [
    ["epoch", `${state.epoch}${state.opened ? "" : " (opens on first use; figures as it would open now)"}`],
    ["started", formatTime(state.start, now)],
    ["ends", formatTime(state.start + state.duration, now)],
    ["base budget", sys.amount(state.base)],
    ["budget", `${sys.amount(state.budget)} (base + recycled burns)`],
    ["limit", `${sys.amount(state.limit)} (budget within the annual cap)`],
    ["minted", sys.amount(state.minted) + pct(state.minted, state.limit)],
    ["demand", `${sys.amount(state.demand)} (attested, minted or deferred)`],
    ["burned", sys.amount(state.burned)],
    ["reward scale", scale(state.rewardScale)],
    ["annual cap", `${sys.amount(state.annualCap)} (${formatBps(policy.annualInflationBps)} of supply)`],
    ["minted in trailing year", sys.amount(trailingYear)],
    ["next epoch (projected)", `budget ${sys.amount(next.budget)}, reward scale ${scale(next.rewardScale)}`],
    [
      "policy",
      `epoch ${policy.epochLength} s, budget step ±${formatBps(policy.maxBudgetStepBps)}, ` +
        `scale step ±${formatBps(policy.maxScaleStepBps)}, floor ${sys.amount(policy.budgetFloor)}, ` +
        `max ${sys.amount(policy.budgetMax)}, min scale ${scale(policy.minRewardScale)}, recycle ${formatBps(policy.recycleBps)}`,
    ],
  ];
  for (const line of columns(rows)) console.log(line);
});
