import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { Writable } from "node:stream";
import { inspect, promisify } from "node:util";

import { expect } from "chai";

import { encryptKeystore } from "../../src/oracle/config/keystore.js";
import { loadConfig, requireServiceConfig } from "../../src/oracle/config/loadConfig.js";
import { createDatabase } from "../../src/oracle/db/createDatabase.js";
import { createStore } from "../../src/oracle/db/createStore.js";
import { bumpFees, isValidReplacement } from "../../src/oracle/domain/fees.js";
import { buildManifest } from "../../src/oracle/domain/manifest.js";
import { scoreEvidence } from "../../src/oracle/domain/policies.js";
import { scoreContributions } from "../../src/oracle/domain/scoreContributions.js";
import { ConfigError } from "../../src/oracle/errors.js";
import { createLogger } from "../../src/oracle/logger.js";
import {
  PLATFORM,
  PLATFORM_SECRET,
  SIGNER_KEYS,
  SUBMITTER_KEY,
  contributorAddress,
  defaultPolicy,
  tempDbPath,
} from "./helpers.js";
import { oracleCommand } from "./service.js";

const run = promisify(execFile);

describe("oracle: units", function () {
  describe("scoring policies", function () {
    const policy = defaultPolicy();

    it("maps evidence to a quality, deterministically", function () {
      const evidence = { agreementBps: 9000, itemCount: 500 };
      const a = scoreEvidence({ category: "dataAnnotation", evidence, policy });
      expect(a).to.deep.equal({ accepted: true, quality: 13_500 });
      expect(scoreEvidence({ category: "dataAnnotation", evidence: { ...evidence }, policy })).to.deep.equal(a);
      expect(
        scoreEvidence({
          category: "bugFix",
          evidence: {
            repository: "a/b",
            pullRequest: 1,
            merged: true,
            severity: "critical",
            linesChanged: 1,
            testsAdded: true,
          },
          policy,
        }),
      ).to.deep.equal({
        accepted: true,
        quality: 20_000,
      });
      expect(
        scoreEvidence({
          category: "educationalContent",
          evidence: { format: "guide", reviewScore: 100, reviewers: 3 },
          policy,
        }),
      ).to.deep.equal({
        accepted: true,
        quality: 20_000,
      });
    });

    it("rejects with a reason", function () {
      const cases: [Parameters<typeof scoreEvidence>[0], string][] = [
        [{ category: "dataAnnotation", evidence: { agreementBps: 5000, itemCount: 500 }, policy }, "low_agreement"],
        [{ category: "dataAnnotation", evidence: { agreementBps: 9000, itemCount: 2 }, policy }, "too_few_items"],
        [
          {
            category: "bugReport",
            evidence: { severity: "high", reproduction: "not_reproduced", duplicate: false },
            policy,
          },
          "not_reproduced",
        ],
        [
          { category: "bugReport", evidence: { severity: "high", reproduction: "confirmed", duplicate: true }, policy },
          "duplicate_report",
        ],
        [{ category: "moderation", evidence: { decisions: 100, accuracyBps: 7000 }, policy }, "low_accuracy"],
        [
          { category: "educationalContent", evidence: { format: "video", reviewScore: 20, reviewers: 5 }, policy },
          "low_review_score",
        ],
        [
          {
            category: "bugFix",
            evidence: {
              repository: "a/b",
              pullRequest: 1,
              merged: false,
              severity: "low",
              linesChanged: 1,
              testsAdded: false,
            },
            policy,
          },
          "not_merged",
        ],
        [
          {
            category: "taskCompletion",
            evidence: { taskId: "t", completed: true, rating: 5, durationSeconds: 1 },
            policy,
          },
          "too_fast",
        ],
      ];
      for (const [input, reason] of cases) expect(scoreEvidence(input)).to.deep.equal({ accepted: false, reason });
    });

    it("applies per-contributor daily limits in id order", function () {
      const contributor = contributorAddress("limits", 0);
      const items = Array.from({ length: 5 }, (_, i) => ({
        id: 10 - i,
        contributor,
        category: 8, // communityEvent: 2 a day
        evidence: JSON.stringify({ attendees: 50, durationMinutes: 60, feedbackScore: 80 }),
        day: "2025-01-01",
      }));
      const results = scoreContributions({ items, policy, acceptedCounts: new Map() });
      expect(results.map((r) => [r.id, r.accepted])).to.deep.equal([
        [6, true],
        [7, true],
        [8, false],
        [9, false],
        [10, false],
      ]);
      expect(results[2]).to.include({ reason: "daily_limit_exceeded", policyVersion: policy.version });
    });
  });

  describe("fees and manifests", function () {
    it("bumps both fees by at least the percentage and respects the cap", function () {
      const previous = { maxFeePerGas: 100n, maxPriorityFeePerGas: 10n };
      const next = bumpFees({ previous, market: { maxFeePerGas: 50n, maxPriorityFeePerGas: 1n }, bumpPercent: 25 });
      expect(next).to.deep.equal({ maxFeePerGas: 125n, maxPriorityFeePerGas: 13n });
      expect(isValidReplacement(previous, next)).to.equal(true);
      const capped = bumpFees({ previous, market: previous, bumpPercent: 25, cap: 110n });
      expect(capped.maxFeePerGas).to.equal(110n);
      expect(isValidReplacement(previous, capped, 11)).to.equal(false);
    });

    it("hashes a manifest independently of item order", function () {
      const items = [
        { id: 2, platform: "p", eventId: "b", bodyHash: "0x02", policyVersion: "v" },
        { id: 1, platform: "p", eventId: "a", bodyHash: "0x01", policyVersion: "v" },
      ];
      expect(buildManifest(items).hash).to.equal(buildManifest([...items].reverse()).hash);
      expect(buildManifest(items).json).to.match(/^\{"items":\[\{"bodyHash":"0x01"/);
    });
  });

  describe("configuration and secrets", function () {
    const env = {
      ORACLE_REWARDS_ADDRESS: contributorAddress("cfg", 0),
      ORACLE_SIGNER_KEYS: SIGNER_KEYS.join(","),
      ORACLE_SUBMITTER_KEY: SUBMITTER_KEY,
      ORACLE_PLATFORM_SECRETS: `${PLATFORM}=${PLATFORM_SECRET}`,
    };

    it("reads the file, lets the environment win, and names bad keys", function () {
      const file = tempDbPath("config").replace("oracle.sqlite", "oracle.json");
      writeFileSync(file, JSON.stringify({ http: { port: 9000 }, batch: { maxItems: 50 } }));
      const config = loadConfig({ env: { ...env, ORACLE_CONFIG: file, ORACLE_BATCH_MAX_ITEMS: "77" } });
      expect(config.http.port).to.equal(9000);
      expect(config.http.host).to.equal("127.0.0.1");
      expect(config.batch.maxItems).to.equal(77);
      expect(() => loadConfig({ env: { ...env, ORACLE_HTTP_PORT: "eighty" } })).to.throw(
        ConfigError,
        /ORACLE_HTTP_PORT \(http\.port\)/,
      );
      expect(() => loadConfig({ env: { ...env, ORACLE_CRASH_AT: "somewhere" } })).to.throw(
        ConfigError,
        /ORACLE_CRASH_AT/,
      );
      expect(() => requireServiceConfig(loadConfig({ env: {} }))).to.throw(
        ConfigError,
        /ORACLE_REWARDS_ADDRESS.*ORACLE_SIGNER_KEYS/,
      );
    });

    it("never prints a secret: config objects and logs are redacted", function () {
      const config = loadConfig({ env });
      const printed =
        JSON.stringify(config, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) +
        inspect(config, { depth: 10 });
      expect(printed).to.not.contain(PLATFORM_SECRET);
      for (const key of SIGNER_KEYS) expect(printed).to.not.contain(key.slice(2));
      let logged = "";
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          logged += chunk.toString();
          done();
        },
      });
      const logger = createLogger({ level: "info", destination: sink });
      logger.info({ secret: PLATFORM_SECRET, submitterKey: SUBMITTER_KEY, config }, "hello");
      expect(logged).to.contain('"msg":"hello"');
      expect(logged).to.not.contain(PLATFORM_SECRET);
      expect(logged).to.not.contain(SUBMITTER_KEY.slice(2));
    });

    it("loads the secrets from an encrypted keystore, and refuses a wrong password", function () {
      const file = tempDbPath("keystore").replace("oracle.sqlite", "keystore.json");
      const keystore = encryptKeystore({
        password: "correct horse battery staple",
        content: {
          signerKeys: SIGNER_KEYS,
          submitterKey: SUBMITTER_KEY,
          platformSecrets: { [PLATFORM]: PLATFORM_SECRET },
        },
      });
      writeFileSync(file, JSON.stringify(keystore));
      expect(JSON.stringify(keystore)).to.not.contain(PLATFORM_SECRET);
      const config = requireServiceConfig(
        loadConfig({
          env: {
            ORACLE_REWARDS_ADDRESS: env.ORACLE_REWARDS_ADDRESS,
            ORACLE_KEYSTORE: file,
            ORACLE_KEYSTORE_PASSWORD: "correct horse battery staple",
          },
        }),
      );
      expect(config.secrets.signerKeys.map((k) => k.reveal())).to.deep.equal(SIGNER_KEYS);
      expect(config.secrets.submitterKey.reveal()).to.equal(SUBMITTER_KEY);
      expect(config.secrets.platformSecrets.get(PLATFORM)?.reveal()).to.equal(PLATFORM_SECRET);
      expect(() => loadConfig({ env: { ORACLE_KEYSTORE: file, ORACLE_KEYSTORE_PASSWORD: "wrong" } })).to.throw(
        ConfigError,
        /wrong password/,
      );
    });
  });

  describe("the operator CLI (npm run oracle -- …)", function () {
    this.timeout(60_000);

    it("shows the queue, requeues a deferred item and exports a contributor's history", async function () {
      const dbPath = tempDbPath("cli");
      const database = await createDatabase({ path: dbPath });
      const store = createStore({ db: database.db });
      const contributor = contributorAddress("cli", 0);
      const now = Date.now();
      for (const [i, state] of (["deferred", "confirmed", "rejected"] as const).entries()) {
        await store.db
          .insertInto("contributions")
          .values({
            platform: PLATFORM,
            event_id: `cli-${i}`,
            body_hash: `0x0${i}`,
            contributor,
            category: 2,
            evidence: "{}",
            state,
            reason: state === "rejected" ? "low_agreement" : null,
            quality: state === "rejected" ? null : 10_000,
            policy_version: "2025.1",
            day: "2025-01-01",
            received_at: now,
            scored_at: now,
            batch_id: null,
            deferred_epoch: state === "deferred" ? 3 : null,
            deferrals: state === "deferred" ? 1 : 0,
            amount: state === "confirmed" ? "2000000000000000000" : null,
            tx_hash: null,
            block_number: null,
            confirmed_at: null,
            updated_at: now,
          })
          .execute();
      }
      await database.close();
      const { command, args } = oracleCommand();
      const cli = (...more: string[]) =>
        run(command, [...args, ...more], { env: { PATH: process.env.PATH, ORACLE_DB_PATH: dbPath } });

      const queue = await cli("queue");
      expect(queue.stdout).to.match(/deferred\s+1/);
      expect(queue.stdout).to.match(/confirmed\s+1/);
      expect(queue.stdout).to.contain(`${PLATFORM}/cli-0`);

      expect((await cli("requeue", "cli-0")).stdout).to.contain("requeued");
      let failed = false;
      try {
        await cli("requeue", "cli-2");
      } catch (error) {
        failed = true;
        expect((error as { stdout: string }).stdout).to.contain("only deferred or on-chain-rejected items");
      }
      expect(failed).to.equal(true);
      expect((await cli("queue")).stdout).to.match(/scored\s+1/);

      const csv = (await cli("export", contributor, "--format", "csv")).stdout.trim().split("\n");
      expect(csv[0]).to.equal(
        "id,platform,eventId,category,state,reason,quality,amount,txHash,blockNumber,receivedAt,confirmedAt",
      );
      expect(csv).to.have.length(4);
      const json = JSON.parse((await cli("export", contributor)).stdout) as { state: string; amount: string | null }[];
      expect(json.map((r) => r.state)).to.deep.equal(["scored", "confirmed", "rejected"]);
      expect(json[1]!.amount).to.equal("2000000000000000000");
    });
  });
});
