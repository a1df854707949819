/**
 * A thin adapter from Node's built-in `node:sqlite` (DatabaseSync) to the better-sqlite3-like
 * interface Kysely's SqliteDialect drives: statements expose `reader`, and take their
 * parameters as one array. Prepared statements are cached by SQL text (Kysely compiles the same
 * text for the same query shape), which matters at thousands of ingests a second.
 */
import { DatabaseSync } from "node:sqlite";
import type { SQLInputValue, StatementSync } from "node:sqlite";

import type { SqliteDatabase, SqliteStatement } from "kysely";

const STATEMENT_CACHE_LIMIT = 512;

export interface OpenNodeSqliteParameters {
  /** A file path, or ":memory:". */
  path: string;
  /** How long a writer waits for another process's lock (the CLI next to the service). */
  busyTimeoutMs?: number;
}

export interface NodeSqliteDatabase extends SqliteDatabase {
  /** The underlying connection, for PRAGMAs and tests. */
  readonly raw: DatabaseSync;
}

function toParameters(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map((value) => {
    if (typeof value === "boolean") return value ? 1 : 0;
    if (value === undefined) return null;
    return value as SQLInputValue;
  });
}

function wrap(statement: StatementSync): SqliteStatement {
  const reader = statement.columns().length > 0;
  return {
    reader,
    all: (parameters) => statement.all(...toParameters(parameters)),
    run: (parameters) => statement.run(...toParameters(parameters)),
    iterate: (parameters) => statement.iterate(...toParameters(parameters)),
  };
}

/**
 * Opens a SQLite database in WAL mode with `synchronous=NORMAL` (durable across a process
 * crash, which is what the oracle's invariant needs; an OS crash may lose the last commits
 * but never corrupts), foreign keys on, and a busy timeout.
 */
export function openNodeSqlite({ path, busyTimeoutMs = 5000 }: OpenNodeSqliteParameters): NodeSqliteDatabase {
  const raw = new DatabaseSync(path);
  raw.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  if (path !== ":memory:") raw.exec("PRAGMA journal_mode = WAL");
  raw.exec("PRAGMA synchronous = NORMAL");
  raw.exec("PRAGMA foreign_keys = ON");
  const cache = new Map<string, SqliteStatement>();
  return {
    raw,
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = wrap(raw.prepare(sql));
        if (cache.size >= STATEMENT_CACHE_LIMIT) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
    close() {
      cache.clear();
      if (raw.isOpen) raw.close();
    },
  };
}
