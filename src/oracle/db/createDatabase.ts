/**
 * Opens the oracle's database (SQLite through node:sqlite by default) and brings its schema up
 * to date with Kysely's Migrator.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";

import { Kysely, SqliteDialect } from "kysely";
import { Migrator } from "kysely/migration";

import { NonRetryableError } from "../errors.js";
import { createMigrationProvider } from "./migrations.js";
import { openNodeSqlite } from "./nodeSqlite.js";
import type { OracleDatabase } from "./schema.js";

export interface CreateDatabaseParameters {
  /** SQLite file path or ":memory:". */
  path: string;
}

export interface Database {
  db: Kysely<OracleDatabase>;
  close(): Promise<void>;
}

export async function createDatabase({ path: file }: CreateDatabaseParameters): Promise<Database> {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = openNodeSqlite({ path: file });
  const db = new Kysely<OracleDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({ db, provider: createMigrationProvider("sqlite") });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error !== undefined || failed !== undefined) {
    await db.destroy();
    throw new NonRetryableError(`database migration ${failed?.migrationName ?? ""} failed`, { cause: error });
  }
  return { db, close: () => db.destroy() };
}
