/**
 * The HTTP API (fastify), on 127.0.0.1 by default:
 *   POST /v1/contributions          ingest (HMAC-authenticated, validated, idempotent)
 *   GET  /v1/contributions/:eventId  one contribution's state, reason, quality, amount, tx, block
 *   GET  /v1/contributors/:address   a contributor's totals by category
 *   GET  /healthz                    liveness (database) and the chain's last status
 *   GET  /metrics                    Prometheus
 */
import { fastify, LogController } from "fastify";
import type { FastifyReply } from "fastify";
import { createHash } from "node:crypto";

import type { z } from "zod";

import type { CrashPoint } from "../config/loadConfig.js";
import type { Secret } from "../config/secret.js";
import type { Store } from "../db/createStore.js";
import { canonicalJson } from "../domain/canonicalJson.js";
import {
  CATEGORY_NAMES,
  categoryIdOf,
  checksummedAddress,
  contributionEventSchema,
  eventIdSchema,
} from "../domain/evidence.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics/createMetrics.js";
import { verifyHmac } from "./hmac.js";
import { contributionView, contributorTotals } from "./views.js";

export interface CreateServerParameters {
  store: Store;
  metrics: Metrics;
  logger: Logger;
  secrets: ReadonlyMap<string, Secret<string>>;
  bodyLimitBytes: number;
  replayWindowSeconds: number;
  crash: (point: CrashPoint) => void;
  /** What /healthz reports about the chain side. */
  health?: () => Record<string, unknown>;
  now?: () => number;
}

interface ErrorBody {
  error: string;
  message: string;
  issues?: { field: string; message: string }[];
}

function fail(reply: FastifyReply, status: number, body: ErrorBody) {
  return reply.code(status).send(body);
}

function issuesOf(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join(".") || "(body)", message: issue.message }));
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function createServer({
  store,
  metrics,
  logger,
  secrets,
  bodyLimitBytes,
  replayWindowSeconds,
  crash,
  health,
  now = Date.now,
}: CreateServerParameters) {
  const app = fastify({
    loggerInstance: logger.child({ component: "http" }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: bodyLimitBytes,
    return503OnClosing: true,
  });

  // Keep the raw bytes: the HMAC covers them exactly; JSON is parsed only after it verifies.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    "application/json",
    { parseAs: "buffer", bodyLimit: bodyLimitBytes },
    (_request, body, done) => {
      done(null, body);
    },
  );

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) logger.error({ err: error.message }, "request failed");
    const code =
      error.code === "FST_ERR_CTP_BODY_TOO_LARGE"
        ? "body_too_large"
        : error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
          ? "unsupported_media_type"
          : status >= 500
            ? "internal_error"
            : "bad_request";
    if (status < 500) metrics.ingestRejected.inc({ status: String(status), reason: code });
    return fail(reply, status, { error: code, message: status >= 500 ? "internal error" : error.message });
  });

  app.post("/v1/contributions", async (request, reply) => {
    const reject = (status: number, body: ErrorBody) => {
      metrics.ingestRejected.inc({ status: String(status), reason: body.error });
      return fail(reply, status, body);
    };
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const auth = verifyHmac({
      headers: request.headers,
      body: raw,
      secrets,
      nowSeconds: Math.floor(now() / 1000),
      replayWindowSeconds,
    });
    if (!auth.ok) return reject(401, { error: auth.failure, message: `authentication failed: ${auth.failure}` });
    let json: unknown;
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      return reject(400, { error: "invalid_json", message: "the body is not valid JSON" });
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      return reject(400, {
        error: "invalid_body",
        message: "the body must be a JSON object",
        issues: [{ field: "(body)", message: "expected an object" }],
      });
    }
    const category = (json as { category?: unknown }).category;
    if (typeof category !== "string" || !(CATEGORY_NAMES as string[]).includes(category)) {
      const message = `unknown category; expected one of ${CATEGORY_NAMES.join(", ")}`;
      return reject(400, {
        error: "invalid_body",
        message: `category: ${message}`,
        issues: [{ field: "category", message }],
      });
    }
    const parsed = contributionEventSchema.safeParse(json);
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      return reject(400, {
        error: "invalid_body",
        message: issues.map((i) => `${i.field}: ${i.message}`).join("; "),
        issues,
      });
    }
    const event = parsed.data;
    const at = now();
    const result = await store.insertContribution({
      platform: auth.platform,
      event_id: event.eventId,
      body_hash: `0x${createHash("sha256").update(canonicalJson(event)).digest("hex")}`,
      contributor: event.contributor,
      category: categoryIdOf(event.category),
      evidence: canonicalJson(event.evidence),
      state: "received",
      reason: null,
      quality: null,
      policy_version: null,
      day: utcDay(at),
      received_at: at,
      scored_at: null,
      batch_id: null,
      deferred_epoch: null,
      deferrals: 0,
      amount: null,
      tx_hash: null,
      block_number: null,
      confirmed_at: null,
      updated_at: at,
    });
    if (result.kind === "conflict") {
      return reject(409, {
        error: "event_id_conflict",
        message: `event ${event.eventId} was already received with a different body (contribution ${result.row.id})`,
      });
    }
    if (result.kind === "created") {
      metrics.ingested.inc({ category: event.category });
      crash("after-ingest");
      return reply.code(201).send(contributionView(result.row));
    }
    metrics.duplicates.inc();
    return reply.code(200).send(contributionView(result.row));
  });

  app.get<{ Params: { eventId: string }; Querystring: { platform?: string } }>(
    "/v1/contributions/:eventId",
    async (request, reply) => {
      const eventId = eventIdSchema.safeParse(request.params.eventId);
      if (!eventId.success)
        return fail(reply, 400, { error: "invalid_event_id", message: "eventId: " + eventId.error.issues[0]!.message });
      const platform = request.query.platform;
      const rows = await store.contributionsByEventId(eventId.data, platform);
      if (rows.length === 0)
        return fail(reply, 404, { error: "not_found", message: `no contribution for event ${eventId.data}` });
      if (rows.length > 1) {
        return fail(reply, 409, {
          error: "ambiguous_event_id",
          message: "several platforms sent this event id: add ?platform=",
        });
      }
      return contributionView(rows[0]!);
    },
  );

  app.get<{ Params: { address: string } }>("/v1/contributors/:address", async (request, reply) => {
    const address = checksummedAddress.safeParse(request.params.address);
    if (!address.success)
      return fail(reply, 400, { error: "invalid_address", message: "address: " + address.error.issues[0]!.message });
    const rows = await store.contributionsOf(address.data);
    return { address: address.data, ...contributorTotals(rows) };
  });

  app.get("/healthz", async (_request, reply) => {
    try {
      await store.ping();
    } catch {
      return reply.code(503).send({ status: "unavailable", database: "unreachable" });
    }
    return { status: "ok", database: "ok", ...(health?.() ?? {}) };
  });

  app.get("/metrics", async (_request, reply) => {
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  return app;
}
