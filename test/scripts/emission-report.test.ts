import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

import { parseDemandCsv } from "../../scripts/lib/demand-csv.js";

const run = promisify(execFile);
const TOKEN = 10n ** 18n;

describe("emission report (scripts/emission-report.ts)", function () {
  describe("the demand CSV", function () {
    it("reads weeks of demand and burns in whole tokens", function () {
      const inputs = parseDemandCsv("week,demand,burned\n# a comment\n0,75000,0\n1,375000.5,1200\n");
      expect(inputs).to.deep.equal([
        { demand: 75_000n * TOKEN, burned: 0n },
        { demand: 375_000n * TOKEN + TOKEN / 2n, burned: 1_200n * TOKEN },
      ]);
    });

    it("names the line and the field of bad input", function () {
      expect(() => parseDemandCsv("week,demand\n0,1\n")).to.throw('expected the header "week,demand,burned"');
      expect(() => parseDemandCsv("week,demand,burned\n0,-5,0\n")).to.throw(/line 2: demand: expected a non-negative/);
      expect(() => parseDemandCsv("week,demand,burned\n0,5\n")).to.throw(/line 2: burned: missing/);
      expect(() => parseDemandCsv("week,demand,burned\nx,5,0\n")).to.throw(/line 2: week: expected a week number/);
    });
  });

  it("drives the contract through a CSV series, prints the table and writes an SVG chart", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "emission-report-"));
    const csv = path.join(dir, "series.csv");
    const svg = path.join(dir, "chart.svg");
    await writeFile(csv, "week,demand,burned\n0,75000,0\n1,375000,0\n2,375000,50000\n3,0,0\n");
    const tsx = path.resolve("node_modules", ".bin", "tsx");
    const { stdout } = await run(tsx, ["scripts/emission-report.ts", "--csv", csv, "--out", svg], {
      timeout: 120_000,
    });
    expect(stdout).to.contain("demand @1.0");
    expect(stdout).to.match(/│ 3 +│/);
    expect(stdout).to.contain(`chart written to ${svg}`);
    const chart = await readFile(svg, "utf8");
    expect(chart.startsWith("<svg")).to.equal(true);
    expect(chart).to.contain("reward scale");
  });

  it("refuses an unknown scenario with a clear message", async function () {
    const tsx = path.resolve("node_modules", ".bin", "tsx");
    const failure = await run(tsx, ["scripts/emission-report.ts", "--scenario", "boom"]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).to.have.property("code", 1);
    expect((failure as { stderr: string }).stderr).to.contain("expected one of steady, influx, drought, burn-heavy");
  });
});
