import { expect } from "chai";
import { network } from "hardhat";
import { custom } from "viem";

import { createLogger } from "../../src/oracle/logger.js";
import { createOracle } from "../../src/oracle/main.js";
import type { Oracle } from "../../src/oracle/main.js";
import { signRequest } from "../../src/oracle/http/hmac.js";
import { PLATFORM, PLATFORM_SECRET, contributorAddress, makeEvents, postContribution, testConfig } from "./helpers.js";

/** Every row of every table, to prove a refused request changed nothing. */
async function snapshot(oracle: Oracle): Promise<string> {
  const db = oracle.store.db;
  const tables = await Promise.all([
    db.selectFrom("contributions").selectAll().orderBy("id").execute(),
    db.selectFrom("batches").selectAll().orderBy("id").execute(),
    db.selectFrom("batch_items").selectAll().execute(),
    db.selectFrom("transactions").selectAll().execute(),
  ]);
  return JSON.stringify(tables);
}

describe("oracle: ingest", function () {
  let oracle: Oracle;
  const valid = makeEvents("ingest", 9);

  before(async function () {
    const connection = await network.create();
    // The pipeline stays stopped: these tests are about the API and the store.
    const config = testConfig({
      rewards: contributorAddress("not-a-contract", 0),
      emission: contributorAddress("not-a-contract", 1),
      token: contributorAddress("not-a-contract", 2),
      fromBlock: 0n,
    });
    oracle = await createOracle({
      config,
      transport: custom(connection.provider),
      logger: createLogger({ level: "silent" }),
      autoStart: false,
    });
  });

  after(async function () {
    await oracle.shutdown.kill();
  });

  it("accepts an event once and returns the same record for the same event again", async function () {
    const first = await postContribution(oracle.url, valid[0]);
    expect(first.status).to.equal(201);
    expect(first.json).to.include({ eventId: "ingest-0", state: "received", category: valid[0]!.category });
    const again = await postContribution(oracle.url, valid[0]);
    expect(again.status).to.equal(200);
    expect(again.json).to.deep.equal(first.json);
    // Key order and whitespace do not make a different body.
    const reordered = JSON.stringify(
      {
        evidence: valid[0]!.evidence,
        category: valid[0]!.category,
        contributor: valid[0]!.contributor,
        eventId: valid[0]!.eventId,
      },
      null,
      2,
    );
    const third = await postContribution(oracle.url, reordered);
    expect(third.status).to.equal(200);
    expect(third.json.id).to.equal(first.json.id);
  });

  it("gives one event one id under concurrent duplicates (the unique constraint)", async function () {
    const responses = await Promise.all(Array.from({ length: 25 }, () => postContribution(oracle.url, valid[1])));
    expect(responses.filter((r) => r.status === 201)).to.have.length(1);
    expect(responses.every((r) => r.status === 201 || r.status === 200)).to.equal(true);
    expect(new Set(responses.map((r) => r.json.id))).to.have.length(1);
    const rows = await oracle.store.contributionsByEventId("ingest-1");
    expect(rows).to.have.length(1);
    // The constraint itself, below the API: a second row for the same (platform, event) fails.
    const row = rows[0]!;
    const copy: Partial<typeof row> = { ...row };
    delete copy.id;
    let failed = false;
    try {
      await oracle.store.db
        .insertInto("contributions")
        .values(copy as typeof row)
        .execute();
    } catch (error) {
      failed = /UNIQUE/i.test(String(error));
    }
    expect(failed).to.equal(true);
  });

  it("serves the read API", async function () {
    const got = await fetch(`${oracle.url}/v1/contributions/ingest-0`);
    expect(got.status).to.equal(200);
    const missing = await fetch(`${oracle.url}/v1/contributions/nope`);
    expect(missing.status).to.equal(404);
    const totals = await fetch(`${oracle.url}/v1/contributors/${valid[0]!.contributor}`);
    expect(totals.status).to.equal(200);
    const body = (await totals.json()) as { categories: Record<string, { contributions: number }> };
    expect(body.categories[valid[0]!.category]!.contributions).to.equal(1);
    const badAddress = await fetch(`${oracle.url}/v1/contributors/${valid[0]!.contributor.toLowerCase()}`);
    expect(badAddress.status).to.equal(400);
    const health = await fetch(`${oracle.url}/healthz`);
    expect(health.status).to.equal(200);
    const metrics = await (await fetch(`${oracle.url}/metrics`)).text();
    expect(metrics).to.contain("oracle_contributions_ingested_total");
    expect(metrics).to.contain('oracle_queue_depth{state="received"}');
  });

  describe("refuses malformed and hostile requests with the right 4xx, changing nothing", function () {
    const base = () => ({ ...valid[2]!, eventId: "hostile-1" }) as Record<string, unknown>;
    const evidence = (patch: Record<string, unknown>) => ({
      ...base(),
      evidence: { ...(base().evidence as object), ...patch },
    });
    const now = () => Math.floor(Date.now() / 1000);

    interface Case {
      name: string;
      status: number;
      error: string;
      field?: string;
      send: () => Promise<{ status: number; json: Record<string, unknown> }>;
    }

    const rawPost = async (body: string, headers: Record<string, string>) => {
      const response = await fetch(`${oracle.url}/v1/contributions`, { method: "POST", headers, body });
      const text = await response.text();
      return { status: response.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
    };
    const signedHeaders = (body: string, extra: Record<string, string> = {}) => {
      const ts = now();
      return {
        "content-type": "application/json",
        "x-oracle-platform": PLATFORM,
        "x-oracle-timestamp": String(ts),
        "x-oracle-signature": signRequest({ secret: PLATFORM_SECRET, timestamp: ts, body }),
        ...extra,
      };
    };

    const cases: Case[] = [
      {
        name: "no signature headers",
        status: 401,
        error: "missing_signature",
        send: () => rawPost(JSON.stringify(base()), { "content-type": "application/json" }),
      },
      {
        name: "signed with the wrong secret",
        status: 401,
        error: "invalid_signature",
        send: () => postContribution(oracle.url, base(), { secret: "another-secret-0123456789" }),
      },
      {
        name: "a stale timestamp (10 minutes old)",
        status: 401,
        error: "stale_signature",
        send: () => postContribution(oracle.url, base(), { timestamp: now() - 600 }),
      },
      {
        name: "a timestamp 10 minutes ahead",
        status: 401,
        error: "stale_signature",
        send: () => postContribution(oracle.url, base(), { timestamp: now() + 600 }),
      },
      {
        name: "an unknown platform",
        status: 401,
        error: "unknown_platform",
        send: () => postContribution(oracle.url, base(), { platform: "evil-platform" }),
      },
      {
        name: "a malformed signature header",
        status: 401,
        error: "invalid_signature",
        send: () =>
          rawPost(JSON.stringify(base()), {
            ...signedHeaders(JSON.stringify(base())),
            "x-oracle-signature": "md5=abc",
          }),
      },
      {
        name: "a body altered after signing",
        status: 401,
        error: "invalid_signature",
        send: () => {
          const body = JSON.stringify(base());
          return rawPost(body.replace("hostile-1", "hostile-2"), signedHeaders(body));
        },
      },
      {
        name: "a non-numeric timestamp",
        status: 401,
        error: "invalid_timestamp",
        send: () =>
          rawPost(JSON.stringify(base()), {
            ...signedHeaders(JSON.stringify(base())),
            "x-oracle-timestamp": "yesterday",
          }),
      },
      {
        name: "invalid JSON",
        status: 400,
        error: "invalid_json",
        send: () => postContribution(oracle.url, '{"eventId": "x",'),
      },
      { name: "a JSON array", status: 400, error: "invalid_body", send: () => postContribution(oracle.url, [base()]) },
      {
        name: "an unknown category",
        status: 400,
        error: "invalid_body",
        field: "category",
        send: () => postContribution(oracle.url, { ...base(), category: "mining" }),
      },
      {
        name: "a lowercase (non-checksummed) address",
        status: 400,
        error: "invalid_body",
        field: "contributor",
        send: () =>
          postContribution(oracle.url, { ...base(), contributor: (base().contributor as string).toLowerCase() }),
      },
      {
        name: "a wrongly checksummed address",
        status: 400,
        error: "invalid_body",
        field: "contributor",
        send: () => {
          const address = base().contributor as string;
          const flipped =
            address.slice(0, 2) +
            [...address.slice(2)].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("");
          return postContribution(oracle.url, { ...base(), contributor: flipped });
        },
      },
      {
        name: "a short address",
        status: 400,
        error: "invalid_body",
        field: "contributor",
        send: () => postContribution(oracle.url, { ...base(), contributor: "0x1234" }),
      },
      {
        name: "the zero address",
        status: 400,
        error: "invalid_body",
        field: "contributor",
        send: () =>
          postContribution(oracle.url, { ...base(), contributor: "0x0000000000000000000000000000000000000000" }),
      },
      {
        name: "an SQL-injection event id",
        status: 400,
        error: "invalid_body",
        field: "eventId",
        send: () => postContribution(oracle.url, { ...base(), eventId: "x'; DROP TABLE contributions; --" }),
      },
      {
        name: "a numeric event id",
        status: 400,
        error: "invalid_body",
        field: "eventId",
        send: () => postContribution(oracle.url, { ...base(), eventId: 42 }),
      },
      {
        name: "evidence of the wrong type",
        status: 400,
        error: "invalid_body",
        field: "evidence.agreementBps",
        send: () => postContribution(oracle.url, evidence({ agreementBps: "9000" })),
      },
      {
        name: "evidence out of range",
        status: 400,
        error: "invalid_body",
        field: "evidence.agreementBps",
        send: () => postContribution(oracle.url, evidence({ agreementBps: 20_000 })),
      },
      {
        name: "evidence missing a field",
        status: 400,
        error: "invalid_body",
        field: "evidence.itemCount",
        send: () => postContribution(oracle.url, evidence({ itemCount: undefined })),
      },
      {
        name: "an attempt to name the quality",
        status: 400,
        error: "invalid_body",
        field: "(body)",
        send: () => postContribution(oracle.url, { ...base(), quality: 50_000 }),
      },
      {
        name: "an unknown evidence key",
        status: 400,
        error: "invalid_body",
        field: "evidence",
        send: () => postContribution(oracle.url, evidence({ amount: "1000000" })),
      },
      {
        name: "a prototype-pollution key",
        status: 400,
        error: "invalid_body",
        send: () => postContribution(oracle.url, `{"__proto__":{"admin":true},${JSON.stringify(base()).slice(1)}`),
      },
      {
        name: "shell metacharacters in a repository",
        status: 400,
        error: "invalid_body",
        field: "evidence.repository",
        send: () =>
          postContribution(oracle.url, {
            ...valid[6]!,
            eventId: "hostile-3",
            evidence: { ...valid[6]!.evidence, repository: "llm/platform; rm -rf /" },
          }),
      },
      {
        name: "a number that overflows to Infinity",
        status: 400,
        error: "invalid_body",
        send: () =>
          postContribution(oracle.url, JSON.stringify(base()).replace(/"agreementBps":\d+/, '"agreementBps":1e400')),
      },
      {
        name: "a body over the size limit",
        status: 413,
        error: "body_too_large",
        send: () => postContribution(oracle.url, { ...base(), padding: "x".repeat(20_000) }),
      },
      {
        name: "a text/plain body",
        status: 415,
        error: "unsupported_media_type",
        send: () =>
          rawPost(JSON.stringify(base()), { ...signedHeaders(JSON.stringify(base())), "content-type": "text/plain" }),
      },
      {
        name: "a known event id with another body",
        status: 409,
        error: "event_id_conflict",
        send: () => postContribution(oracle.url, { ...valid[0]!, contributor: contributorAddress("thief", 0) }),
      },
    ];

    for (const c of cases) {
      it(`${c.name} → ${c.status}`, async function () {
        const before = await snapshot(oracle);
        const response = await c.send();
        expect(response.status).to.equal(c.status, JSON.stringify(response.json));
        expect(response.json.error).to.equal(c.error);
        if (c.field !== undefined) {
          const issues = (response.json.issues ?? []) as { field: string }[];
          expect(issues.map((i) => i.field)).to.include(c.field);
          expect(String(response.json.message)).to.contain(c.field);
        }
        expect(await snapshot(oracle)).to.equal(before);
      });
    }

    it(`covers at least 20 cases (${cases.length})`, function () {
      expect(cases.length).to.be.at.least(20);
    });
  });
});
