/**
 * `npm run emission-report -- --scenario influx`: drives the real EmissionController on
 * Hardhat's in-process network through a 52-week demand series (a named scenario or a CSV
 * file with columns week,demand,burned in whole tokens), prints a table per epoch and writes a
 * chart (SVG, rendered with Apache ECharts) of budget, demand, minted, burned, reward scale and
 * supply.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import Table from "cli-table3";
import { Command, InvalidArgumentError } from "commander";
import * as echarts from "echarts";
import { network } from "hardhat";

import { parseDemandCsv } from "./lib/demand-csv.js";
import { deploySimulation, playEpoch, scenario, SCENARIO_NAMES } from "./lib/emission-sim.js";
import type { EpochRow, ScenarioName } from "./lib/emission-sim.js";

const toTokens = (value: bigint) => Number(value / 10n ** 12n) / 1e6;
/** What contributors did, before the reward scale priced it. */
const rawDemand = (row: EpochRow) => (row.rewardScale === 0n ? 0n : (row.demand * 10n ** 18n) / row.rewardScale);
const toScale = (value: bigint) => Number(value / 10n ** 12n) / 1e6;

function renderChart(title: string, rows: EpochRow[]): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: 1100, height: 760 });
  const weeks = rows.map((row) => String(row.epoch));
  const series = (name: string, values: number[], extra: Record<string, unknown> = {}) => ({
    name,
    type: "line",
    showSymbol: false,
    data: values,
    ...extra,
  });
  chart.setOption({
    animation: false,
    title: { text: title, left: "center", top: 4 },
    legend: { top: 34 },
    tooltip: {},
    grid: [
      { left: 90, right: 90, top: 80, height: 320 },
      { left: 90, right: 90, top: 470, height: 220 },
    ],
    xAxis: [
      { type: "category", data: weeks, gridIndex: 0, name: "epoch (week)", nameLocation: "middle", nameGap: 26 },
      { type: "category", data: weeks, gridIndex: 1, name: "epoch (week)", nameLocation: "middle", nameGap: 26 },
    ],
    yAxis: [
      { type: "value", gridIndex: 0, name: "tokens per epoch" },
      { type: "value", gridIndex: 1, name: "reward scale", min: 0, max: 1 },
      { type: "value", gridIndex: 1, name: "supply (M)", position: "right", scale: true },
    ],
    series: [
      series(
        "budget",
        rows.map((r) => toTokens(r.budget)),
      ),
      series(
        "demand at scale 1.0",
        rows.map((r) => toTokens(rawDemand(r))),
        { lineStyle: { type: "dotted" } },
      ),
      series(
        "demand (priced)",
        rows.map((r) => toTokens(r.demand)),
      ),
      series(
        "minted",
        rows.map((r) => toTokens(r.minted)),
        { lineStyle: { type: "dashed" } },
      ),
      series(
        "burned",
        rows.map((r) => toTokens(r.burned)),
      ),
      series(
        "reward scale",
        rows.map((r) => toScale(r.rewardScale)),
        { xAxisIndex: 1, yAxisIndex: 1 },
      ),
      series(
        "supply (M)",
        rows.map((r) => toTokens(r.supply) / 1e6),
        { xAxisIndex: 1, yAxisIndex: 2 },
      ),
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

function printTable(rows: EpochRow[]) {
  const table = new Table({
    style: { head: [], border: [] },
    head: ["epoch", "budget", "limit", "demand @1.0", "demand", "minted", "burned", "scale", "supply", "trailing year"],
  });
  const fmt = (value: bigint) => toTokens(value).toLocaleString("en-US", { maximumFractionDigits: 0 });
  for (const row of rows) {
    table.push([
      row.epoch.toString(),
      fmt(row.budget),
      fmt(row.limit),
      fmt(rawDemand(row)),
      fmt(row.demand),
      fmt(row.minted),
      fmt(row.burned),
      toScale(row.rewardScale).toFixed(3),
      fmt(row.supply),
      fmt(row.mintedInTrailingYear),
    ]);
  }
  console.log(table.toString());
}

const program = new Command()
  .name("emission-report")
  .description("Drive the EmissionController through a demand series and chart it.")
  .option(
    "--scenario <name>",
    `a named 52-week scenario: ${SCENARIO_NAMES.join(", ")}`,
    (value: string) => {
      if (!(SCENARIO_NAMES as readonly string[]).includes(value)) {
        throw new InvalidArgumentError(`expected one of ${SCENARIO_NAMES.join(", ")}`);
      }
      return value as ScenarioName;
    },
    "influx" as ScenarioName,
  )
  .option("--csv <file>", "a demand series: header week,demand,burned, whole tokens per week")
  .option("--out <file>", "where to write the SVG chart", "")
  .parse();

const options = program.opts<{ scenario: ScenarioName; csv?: string; out: string }>();
const inputs = options.csv ? parseDemandCsv(await readFile(options.csv, "utf8")) : scenario(options.scenario);
const label = options.csv ? path.basename(options.csv) : options.scenario;

const connection = await network.create();
const sim = await deploySimulation(connection);
const rows: EpochRow[] = [];
for (const input of inputs) rows.push(await playEpoch(sim, input));
printTable(rows);

const out = options.out || path.join("docs", `emission-${label.replace(/\.csv$/, "")}.svg`);
await writeFile(out, renderChart(`Emission policy: ${label} (${rows.length} weekly epochs)`, rows));
console.log(`chart written to ${out}`);
