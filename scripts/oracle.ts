/**
 * `npm run oracle [-- command]`: the oracle service and its operator commands.
 *
 *   start (default)              run the service (HTTP API + pipeline) until SIGTERM/SIGINT
 *   queue [--limit n]            contributions and batches by state, the oldest not yet final
 *   requeue <eventId>            put a deferred (or on-chain-rejected) contribution back in the queue
 *   export <address>             a contributor's history (--format json|csv)
 *   keystore create --out file   encrypt the secrets from the environment into a keystore file
 *
 * Configuration: environment variables and an optional JSON file (ORACLE_CONFIG); see README.
 */
import { writeFileSync } from "node:fs";

import { Command } from "commander";

import { exportContributor, requeueItem, showQueue } from "../src/oracle/cli/commands.js";
import { loadConfig, requireServiceConfig } from "../src/oracle/config/loadConfig.js";
import { encryptKeystore } from "../src/oracle/config/keystore.js";
import { createDatabase } from "../src/oracle/db/createDatabase.js";
import { createStore } from "../src/oracle/db/createStore.js";
import { describeError } from "../src/oracle/errors.js";

const out = { write: (text: string) => void process.stdout.write(text) };

async function withStore<T>(fn: (store: ReturnType<typeof createStore>) => Promise<T>): Promise<T> {
  const config = loadConfig({ env: process.env });
  const database = await createDatabase({ path: config.db.path });
  try {
    return await fn(createStore({ db: database.db }));
  } finally {
    await database.close();
  }
}

async function start(): Promise<void> {
  // Loaded here so that the operator commands start fast (no HTTP server, no chain client).
  const { createLogger } = await import("../src/oracle/logger.js");
  const { createOracle } = await import("../src/oracle/main.js");
  const config = requireServiceConfig(loadConfig({ env: process.env }));
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty });
  const oracle = await createOracle({ config, logger });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing the step in flight");
    void oracle.shutdown.kill().then(() => {
      logger.info("stopped");
      logger.flush();
      process.exit(0);
    });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

const program = new Command()
  .name("oracle")
  .description("The contribution oracle: contribution events in, exactly-once mints out.")
  .showHelpAfterError();

program.command("start", { isDefault: true }).description("run the service").action(start);

program
  .command("queue")
  .description("show contributions and batches by state, and the oldest items not yet final")
  .option("--limit <n>", "how many pending items to list", "20")
  .action((options: { limit: string }) =>
    withStore((store) => showQueue({ store, out, limit: Number(options.limit) })),
  );

program
  .command("requeue <eventId>")
  .description("put a deferred (or on-chain-rejected) contribution back in the queue")
  .option("--platform <name>", "the platform that sent the event (when several did)")
  .action(async (eventId: string, options: { platform?: string }) => {
    const ok = await withStore((store) => requeueItem({ store, out, eventId, platform: options.platform }));
    if (!ok) process.exitCode = 1;
  });

program
  .command("export <address>")
  .description("a contributor's history, as JSON or CSV")
  .option("--format <format>", "json or csv", "json")
  .action((address: string, options: { format: string }) =>
    withStore((store) => exportContributor({ store, out, address, format: options.format === "csv" ? "csv" : "json" })),
  );

program
  .command("keystore")
  .description("keystore operations")
  .command("create")
  .description(
    "encrypt ORACLE_SIGNER_KEYS, ORACLE_SUBMITTER_KEY and ORACLE_PLATFORM_SECRETS under ORACLE_KEYSTORE_PASSWORD",
  )
  .requiredOption("--out <file>", "where to write the keystore")
  .action((options: { out: string }) => {
    const config = loadConfig({ env: process.env });
    const password = config.secrets.keystorePassword?.reveal();
    if (password === undefined || password.length < 12)
      throw new Error("set ORACLE_KEYSTORE_PASSWORD (12 characters or more)");
    const file = encryptKeystore({
      password,
      content: {
        signerKeys: config.secrets.signerKeys.map((k) => k.reveal()),
        ...(config.secrets.submitterKey ? { submitterKey: config.secrets.submitterKey.reveal() } : {}),
        platformSecrets: Object.fromEntries([...config.secrets.platformSecrets].map(([name, s]) => [name, s.reveal()])),
      },
    });
    writeFileSync(options.out, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    out.write(`keystore written to ${options.out}\n`);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`oracle: ${describeError(error)}\n`);
  process.exit(1);
}
