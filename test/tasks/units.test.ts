import { expect } from "chai";

import { CommandError } from "../../tasks/lib/command.js";
import {
  columns,
  formatAmount,
  formatRelative,
  formatTime,
  parseAddress,
  parseAmount,
  parseProposalId,
  parseSupport,
} from "../../tasks/lib/units.js";

const TOKEN = 10n ** 18n;

describe("gov command input and output (tasks/lib/units.ts)", function () {
  it("reads amounts in whole tokens, with decimals and _ groups", function () {
    expect(parseAmount("1000", 18)).to.equal(1000n * TOKEN);
    expect(parseAmount("0.5", 18)).to.equal(TOKEN / 2n);
    expect(parseAmount("1_000.25", 18)).to.equal(1000n * TOKEN + TOKEN / 4n);
    expect(parseAmount(" 7 ", 0)).to.equal(7n);
  });

  it("refuses what is not an amount, in words", function () {
    for (const bad of ["12abc", "-5", "1e18", "", "0x10", "1,000"]) {
      expect(() => parseAmount(bad, 18), bad).to.throw(CommandError, /is not an amount: write whole tokens/);
    }
    expect(() => parseAmount("0.1234", 2)).to.throw(CommandError, '"0.1234" has more than 2 decimals');
  });

  it("prints amounts with grouped thousands, cutting long decimals visibly", function () {
    expect(formatAmount(50_000_000n * TOKEN, 18)).to.equal("50,000,000");
    expect(formatAmount(1000n * TOKEN + TOKEN / 2n, 18)).to.equal("1,000.5");
    expect(formatAmount(0n, 18)).to.equal("0");
    expect(formatAmount(-1234n * TOKEN, 18)).to.equal("-1,234");
    expect(formatAmount(915_525_114_155_251_141_552n, 18, { maxDecimals: 4 })).to.equal("~915.5251");
    expect(formatAmount(915_500_000_000_000_000_000n, 18, { maxDecimals: 4 })).to.equal("915.5");
  });

  it("reads vote support, proposal ids and addresses", function () {
    expect(parseSupport("FOR")).to.equal("for");
    expect(parseSupport("against")).to.equal("against");
    expect(parseSupport("abstain")).to.equal("abstain");
    expect(() => parseSupport("maybe")).to.throw(CommandError, '"maybe" is not a vote: use for, against or abstain');
    expect(parseProposalId("123")).to.equal(123n);
    expect(parseProposalId("0xff")).to.equal(255n);
    expect(() => parseProposalId("12a")).to.throw(CommandError, /is not a proposal id/);
    expect(parseAddress("0x976ea74026e726554db657fa54763abd0c3a0aa9", "--to")).to.equal(
      "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
    );
    expect(() => parseAddress("alice", "--to")).to.throw(CommandError, '--to "alice" is not an address');
  });

  it("says times in UTC and relative to the chain's clock", function () {
    expect(formatTime(1_800_000_000n, 1_800_000_000n - 59n)).to.equal("2027-01-15 08:00:00 UTC (in 59 s)");
    expect(formatRelative(0n)).to.equal("now");
    expect(formatRelative(-300n)).to.equal("5 min ago");
    expect(formatRelative(3n * 3600n)).to.equal("in 3 h");
    expect(formatRelative(-3n * 86_400n)).to.equal("3 days ago");
  });

  it("aligns columns", function () {
    expect(
      columns(
        [
          ["a", "1"],
          ["bbb", "22"],
        ],
        ["left", "right"],
      ),
    ).to.deep.equal(["a     1", "bbb  22"]);
  });
});
