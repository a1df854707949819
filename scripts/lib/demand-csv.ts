/** Reads a weekly demand series for scripts/emission-report.ts. */
import { z } from "zod";

import type { EpochInput } from "./emission-sim.js";

const TOKEN = 10n ** 18n;

const amount = z
  .string({ error: "missing" })
  .trim()
  .regex(/^\d+(\.\d{1,6})?$/, "expected a non-negative number of tokens (up to 6 decimals)")
  .transform(Number);

const csvRow = z.object({
  week: z.string({ error: "missing" }).trim().regex(/^\d+$/, "expected a week number").transform(Number),
  demand: amount,
  burned: amount,
});

/** Parses a demand series: a header `week,demand,burned`, then one row per week (whole tokens). */
export function parseDemandCsv(text: string): EpochInput[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "" && !line.startsWith("#"));
  const header = lines
    .shift()
    ?.split(",")
    .map((cell) => cell.trim());
  if (header?.join(",") !== "week,demand,burned") {
    throw new Error(`expected the header "week,demand,burned", found "${header?.join(",") ?? ""}"`);
  }
  return lines.map((line, index) => {
    const [week, demand, burned] = line.split(",").map((cell) => cell.trim());
    const parsed = csvRow.safeParse({ week, demand, burned });
    if (!parsed.success) {
      throw new Error(
        `line ${index + 2}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    }
    // Whole tokens with up to six decimals.
    const tokens = (value: number) => BigInt(Math.round(value * 1e6)) * (TOKEN / 1_000_000n);
    return { demand: tokens(parsed.data.demand), burned: tokens(parsed.data.burned) };
  });
}
