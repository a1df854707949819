/**
 * Schema migrations, in code (a Kysely MigrationProvider), written with Kysely's schema builder
 * so the same migrations target PostgreSQL: the one dialect difference, the id sequence, is
 * chosen by `dialect`.
 */
import type { Kysely } from "kysely";
import type { Migration, MigrationProvider } from "kysely/migration";
import { sql } from "kysely";

export type SqlDialectName = "sqlite" | "postgres";

function migrations(dialect: SqlDialectName): Record<string, Migration> {
  return {
    "0001_initial": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("contributions")
          .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) =>
            dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn("platform", "text", (c) => c.notNull())
          .addColumn("event_id", "text", (c) => c.notNull())
          .addColumn("body_hash", "text", (c) => c.notNull())
          .addColumn("contributor", "text", (c) => c.notNull())
          .addColumn("category", "bigint", (c) => c.notNull())
          .addColumn("evidence", "text", (c) => c.notNull())
          .addColumn("state", "text", (c) => c.notNull())
          .addColumn("reason", "text")
          .addColumn("quality", "bigint")
          .addColumn("policy_version", "text")
          .addColumn("day", "text", (c) => c.notNull())
          .addColumn("received_at", "bigint", (c) => c.notNull())
          .addColumn("scored_at", "bigint")
          .addColumn("batch_id", "bigint")
          .addColumn("deferred_epoch", "bigint")
          .addColumn("deferrals", "bigint", (c) => c.notNull().defaultTo(0))
          .addColumn("amount", "text")
          .addColumn("tx_hash", "text")
          .addColumn("block_number", "bigint")
          .addColumn("confirmed_at", "bigint")
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          // One platform event, one contribution id: the guarantee docs/rewards.md relies on.
          .addUniqueConstraint("contributions_platform_event_unique", ["platform", "event_id"])
          .execute();
        await db.schema.createIndex("contributions_state_id").on("contributions").columns(["state", "id"]).execute();
        await db.schema
          .createIndex("contributions_contributor")
          .on("contributions")
          .columns(["contributor", "category", "day"])
          .execute();
        await db.schema.createIndex("contributions_event_id").on("contributions").column("event_id").execute();
        await db.schema.createIndex("contributions_batch").on("contributions").column("batch_id").execute();

        await db.schema
          .createTable("batches")
          .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) =>
            dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn("state", "text", (c) => c.notNull())
          .addColumn("reason", "text")
          .addColumn("item_count", "bigint", (c) => c.notNull())
          .addColumn("manifest", "text", (c) => c.notNull())
          .addColumn("manifest_json", "text", (c) => c.notNull())
          .addColumn("signer_set_version", "text", (c) => c.notNull())
          .addColumn("deadline", "text", (c) => c.notNull())
          .addColumn("signatures", "text", (c) => c.notNull())
          .addColumn("contributions", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("nonce", "bigint")
          .addColumn("tx_hash", "text")
          .addColumn("block_number", "bigint")
          .addColumn("block_hash", "text")
          .addColumn("gas_used", "text")
          .addColumn("epoch", "bigint")
          .addColumn("rewarded", "bigint")
          .addColumn("deferred", "bigint")
          .addColumn("minted", "text")
          .addColumn("confirmed_at", "bigint")
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("batches_state").on("batches").columns(["state", "id"]).execute();

        await db.schema
          .createTable("batch_items")
          .addColumn("batch_id", "bigint", (c) => c.notNull().references("batches.id"))
          .addColumn("contribution_id", "bigint", (c) => c.notNull().references("contributions.id"))
          .addColumn("position", "bigint", (c) => c.notNull())
          .addPrimaryKeyConstraint("batch_items_pk", ["batch_id", "contribution_id"])
          .execute();

        await db.schema
          .createTable("transactions")
          .addColumn("hash", "text", (c) => c.primaryKey())
          .addColumn("batch_id", "bigint", (c) => c.notNull().references("batches.id"))
          .addColumn("nonce", "bigint", (c) => c.notNull())
          .addColumn("raw", "text", (c) => c.notNull())
          .addColumn("max_fee_per_gas", "text", (c) => c.notNull())
          .addColumn("max_priority_fee_per_gas", "text", (c) => c.notNull())
          .addColumn("gas_limit", "text", (c) => c.notNull())
          .addColumn("state", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("sent_at", "bigint")
          .addColumn("block_number", "bigint")
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("transactions_batch").on("transactions").columns(["batch_id", "nonce"]).execute();
        await db.schema.createIndex("transactions_state").on("transactions").column("state").execute();
      },
      async down(db: Kysely<unknown>) {
        for (const table of ["transactions", "batch_items", "batches", "contributions"]) {
          await sql`drop table if exists ${sql.table(table)}`.execute(db);
        }
      },
    },
  };
}

export function createMigrationProvider(dialect: SqlDialectName): MigrationProvider {
  return { getMigrations: () => Promise.resolve(migrations(dialect)) };
}
