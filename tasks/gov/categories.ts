/** `hardhat gov categories`: the contribution categories and what each can still mint this epoch. */
import { DEFAULT_CATEGORIES } from "../../src/sdk/categories.js";
import { command } from "../lib/command.js";
import { connectSystem, DISPLAY_DECIMALS } from "../lib/connect.js";
import type { GovOptions } from "../lib/connect.js";
import { columns, formatAmount, formatBps } from "../lib/units.js";

const WAD = 10n ** 18n;

export default command<GovOptions>(async (args, hre) => {
  const sys = await connectSystem(hre, args);
  const { rewards, emission } = sys;
  const [count, maxQuality, [, , , rewardScale]] = await Promise.all([
    rewards.categoryCount(),
    rewards.maxQualityBps(),
    emission.mintAllowance(),
  ]);
  const fmt = (value: bigint) => formatAmount(value, sys.decimals, { maxDecimals: DISPLAY_DECIMALS });
  const rows: string[][] = [
    ["id", "name", "base reward", "reward now", "reserve", "next reserve", "available", "status"],
  ];
  for (let id = 0; id < Number(count); id++) {
    const [config, available] = await Promise.all([rewards.categoryConfig(id), rewards.available(id)]);
    const name = DEFAULT_CATEGORIES.find((category) => category.id === id)?.name ?? `(added by governance)`;
    rows.push([
      String(id),
      name,
      fmt(config.baseReward),
      fmt((config.baseReward * rewardScale) / WAD),
      formatBps(config.reserveBps),
      formatBps(config.upcomingReserveBps),
      fmt(available),
      (config.enabled ? "enabled" : "disabled") + (config.rateChangedThisEpoch ? ", rate changed this epoch" : ""),
    ]);
  }
  console.log(`${count} categories (amounts in ${sys.symbol}; "reward now" is for quality 1.0x at this epoch's scale)`);
  for (const line of columns(rows, ["right", "left", "right", "right", "right", "right", "right", "left"]))
    console.log(line);
  console.log(
    `reward scale ${formatAmount(rewardScale, 18, { maxDecimals: DISPLAY_DECIMALS })} (reward now = base reward x scale x quality)`,
  );
  console.log(`maximum quality ${Number(maxQuality) / 10_000}x`);
});
