/**
 * A platform's client of the oracle's HTTP API: submits contribution events signed with the
 * platform's HMAC secret (src/oracle/http/hmac.ts) and reads contributions back. The local
 * stack's scenario uses it; an LLM platform would too.
 */
import type { ContributionEvent } from "./domain/evidence.js";
import { PLATFORM_HEADER, SIGNATURE_HEADER, signRequest, TIMESTAMP_HEADER } from "./http/hmac.js";
import type { ContributionView } from "./http/views.js";

export interface OracleClientParameters {
  /** The API's base URL, e.g. http://127.0.0.1:8787. */
  url: string;
  platform: string;
  secret: string;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
}

/** A non-2xx answer, with the API's error code and message. */
export class OracleRequestError extends Error {
  override name = "OracleRequestError";
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    const detail =
      typeof body === "object" && body !== null && "message" in body ? String(body.message) : JSON.stringify(body);
    super(`${what}: HTTP ${status}: ${detail}`);
  }
}

export interface OracleClient {
  /** Submits one event; resolves with the stored record (the same one again for a repeat). */
  submit(event: ContributionEvent): Promise<ContributionView>;
  /** The platform's contribution with this event id, or undefined if the oracle has none. */
  contribution(eventId: string): Promise<ContributionView | undefined>;
}

export function createOracleClient({
  url,
  platform,
  secret,
  timeoutMs = 10_000,
}: OracleClientParameters): OracleClient {
  const base = url.replace(/\/+$/, "");

  async function parse(response: Response): Promise<unknown> {
    const text = await response.text();
    try {
      return text === "" ? {} : (JSON.parse(text) as unknown);
    } catch {
      return text;
    }
  }

  return {
    async submit(event) {
      const body = JSON.stringify(event);
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(`${base}/v1/contributions`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [PLATFORM_HEADER]: platform,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signRequest({ secret, timestamp, body }),
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const json = await parse(response);
      if (!response.ok) throw new OracleRequestError(response.status, json, `submitting ${event.eventId}`);
      return json as ContributionView;
    },

    async contribution(eventId) {
      const query = new URLSearchParams({ platform });
      const response = await fetch(`${base}/v1/contributions/${encodeURIComponent(eventId)}?${query.toString()}`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      const json = await parse(response);
      if (!response.ok) throw new OracleRequestError(response.status, json, `reading ${eventId}`);
      return json as ContributionView;
    },
  };
}
