/**
 * What `npm start` prints: sections, aligned tables, and a spinner (ora) while it waits. Off a
 * terminal (CI, a test, a log file) the spinner is silent and only the final lines are printed.
 */
import ora from "ora";
import pc from "picocolors";

import type { Reporter } from "./scenario.js";

export function createReporter(stream: NodeJS.WriteStream = process.stdout): Reporter {
  const write = (text: string) => void stream.write(`${text}\n`);
  return {
    section(title) {
      write("");
      write(pc.bold(title));
    },
    line(text) {
      write(`  ${text}`);
    },
    table(rows) {
      const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
      rows.forEach((row, i) => {
        const text = row
          .map((cell, column) => cell.padEnd(widths[column]!))
          .join("  ")
          .trimEnd();
        write(`  ${i === 0 ? pc.dim(text) : text}`);
      });
    },
    async wait(text, task, done) {
      // discardStdin off: Ctrl-C stays a terminal SIGINT to the whole process group.
      const spinner = ora({ text, stream, indent: 2, discardStdin: false }).start();
      try {
        const result = await task((next) => {
          spinner.text = next;
        });
        const summary = done?.(result) ?? spinner.text;
        if (spinner.isEnabled) spinner.succeed(summary);
        else write(`  ${summary}`);
        return result;
      } catch (error) {
        if (spinner.isEnabled) spinner.fail(spinner.text);
        throw error;
      }
    },
  };
}
