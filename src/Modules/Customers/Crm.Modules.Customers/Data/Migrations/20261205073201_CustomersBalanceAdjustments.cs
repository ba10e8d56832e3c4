using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Customers.Data.Migrations
{
    /// <inheritdoc />
    public partial class CustomersBalanceAdjustments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_balance_ledger_customer_id_applied_at",
                schema: "customers",
                table: "balance_ledger");

            migrationBuilder.AlterColumn<Guid>(
                name: "contract_id",
                schema: "customers",
                table: "balance_ledger",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.AddColumn<Guid>(
                name: "actor_id",
                schema: "customers",
                table: "balance_ledger",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "reason",
                schema: "customers",
                table: "balance_ledger",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "reference",
                schema: "customers",
                table: "balance_ledger",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_balance_ledger_customer_id_applied_at_event_id",
                schema: "customers",
                table: "balance_ledger",
                columns: new[] { "customer_id", "applied_at", "event_id" })
                .Annotation("Npgsql:IndexInclude", new[] { "delta" });

            migrationBuilder.CreateIndex(
                name: "ix_balance_ledger_customer_id_kind_applied_at_event_id",
                schema: "customers",
                table: "balance_ledger",
                columns: new[] { "customer_id", "kind", "applied_at", "event_id" });

            // The ledger becomes the record of the balance (docs/adr/0027-customer-balance-is-a-ledger.md). Entries a
            // consumer recorded on a customer already merged away moved its survivor's balance: they belong there.
            migrationBuilder.Sql(
                """
                UPDATE customers.balance_ledger l
                SET customer_id = c.merged_into_id
                FROM customers.customers c
                WHERE l.customer_id = c.id AND c.merged_into_id IS NOT NULL AND l.applied_at >= c.merged_at;
                """);

            // Whatever the ledger does not explain yet (balances given on create or by import, older merges) becomes one
            // opening entry, dated before the customer's first entry, so every ledger sums to its balance from now on.
            migrationBuilder.Sql(
                """
                INSERT INTO customers.balance_ledger (event_id, customer_id, delta, kind, applied_at, reason)
                SELECT gen_random_uuid(), c.id, c.outstanding_balance - COALESCE(l.total, 0), 'opening',
                       LEAST(c.created_at, l.first_at - interval '1 microsecond'),
                       'Opening balance: the part of the balance the ledger did not explain when it became the record'
                FROM customers.customers c
                LEFT JOIN (
                    SELECT customer_id, sum(delta) AS total, min(applied_at) AS first_at
                    FROM customers.balance_ledger
                    GROUP BY customer_id) l ON l.customer_id = c.id
                WHERE c.outstanding_balance <> COALESCE(l.total, 0);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The old ledger held only contract events; the balances themselves stay as they are.
            migrationBuilder.Sql("DELETE FROM customers.balance_ledger WHERE contract_id IS NULL;");

            migrationBuilder.DropIndex(
                name: "ix_balance_ledger_customer_id_applied_at_event_id",
                schema: "customers",
                table: "balance_ledger");

            migrationBuilder.DropIndex(
                name: "ix_balance_ledger_customer_id_kind_applied_at_event_id",
                schema: "customers",
                table: "balance_ledger");

            migrationBuilder.DropColumn(
                name: "actor_id",
                schema: "customers",
                table: "balance_ledger");

            migrationBuilder.DropColumn(
                name: "reason",
                schema: "customers",
                table: "balance_ledger");

            migrationBuilder.DropColumn(
                name: "reference",
                schema: "customers",
                table: "balance_ledger");

            migrationBuilder.AlterColumn<Guid>(
                name: "contract_id",
                schema: "customers",
                table: "balance_ledger",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_balance_ledger_customer_id_applied_at",
                schema: "customers",
                table: "balance_ledger",
                columns: new[] { "customer_id", "applied_at" });
        }
    }
}
