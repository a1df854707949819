/**
 * The load generator of `npm run bench:oracle`, run as its own process: autocannon POSTs
 * unique, HMAC-signed contribution events to the oracle and prints its figures as JSON.
 *
 *   node --import tsx bench/oracleLoad.ts '{"url":…,"platform":…,"secret":…,"connections":…,"durationSeconds":…,"label":…}'
 */
import { createRequire } from "node:module";

import { getAddress, keccak256, toHex } from "viem";

import { signRequest } from "../src/oracle/http/hmac.js";

interface AutocannonRequest {
  method: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  pipelining: number;
  requests: { method: string; setupRequest: (request: AutocannonRequest) => AutocannonRequest }[];
}
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  "2xx": number;
}

const require = createRequire(import.meta.url);
const autocannon = require("autocannon") as (options: AutocannonOptions) => Promise<AutocannonResult>;

const options = JSON.parse(process.argv[2] ?? "{}") as {
  url: string;
  platform: string;
  secret: string;
  connections: number;
  durationSeconds: number;
  /** Send exactly this many requests instead of running for a duration. */
  amount?: number;
  label: string;
};

const CATEGORIES = [
  ["taskCompletion", { taskId: "t-1", completed: true, rating: 4, durationSeconds: 60 }],
  ["dataAnnotation", { agreementBps: 9000, itemCount: 200 }],
  ["moderation", { decisions: 50, accuracyBps: 9500 }],
  ["bugReport", { severity: "high", reproduction: "confirmed", duplicate: false }],
] as const;

// Contributors are precomputed (checksumming costs a keccak): the generator must stay light
// on a machine it shares with the service.
const CONTRIBUTORS = Array.from({ length: 5000 }, (_, i) =>
  getAddress(keccak256(toHex(`${options.label}-c-${i}`)).slice(0, 42)),
);

let next = 0;
const result = await autocannon({
  url: options.url,
  connections: options.connections,
  ...(options.amount === undefined ? { duration: options.durationSeconds } : { amount: options.amount }),
  pipelining: 1,
  requests: [
    {
      method: "POST",
      setupRequest(request) {
        const i = next++;
        const [category, evidence] = CATEGORIES[i % CATEGORIES.length]!;
        const contributor = CONTRIBUTORS[i % CONTRIBUTORS.length]!;
        const body = JSON.stringify({ eventId: `${options.label}-${i}`, contributor, category, evidence });
        const timestamp = Math.floor(Date.now() / 1000);
        return {
          ...request,
          path: "/v1/contributions",
          body,
          headers: {
            "content-type": "application/json",
            "x-oracle-platform": options.platform,
            "x-oracle-timestamp": String(timestamp),
            "x-oracle-signature": signRequest({ secret: options.secret, timestamp, body }),
          },
        };
      },
    },
  ],
});

process.stdout.write(
  `${JSON.stringify({
    rps: result.requests.average,
    total: result.requests.total,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  })}\n`,
);
