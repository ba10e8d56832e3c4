using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Crm.Modules.Customers.Data.Migrations
{
    /// <inheritdoc />
    public partial class CustomersWonDeals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The ledger entry's ETag is its row version (a system column: Npgsql adds nothing to the table).
            migrationBuilder.AddColumn<uint>(
                name: "xmin",
                schema: "customers",
                table: "balance_ledger",
                type: "xid",
                rowVersion: true,
                nullable: false,
                defaultValue: 0u);

            migrationBuilder.CreateTable(
                name: "won_deals",
                schema: "customers",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: true),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    won_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    state_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    state_event_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_won_deals", x => x.id);
                    table.ForeignKey(
                        name: "fk_won_deals_customers_customer_id",
                        column: x => x.customer_id,
                        principalSchema: "customers",
                        principalTable: "customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_won_deals_customer_id",
                schema: "customers",
                table: "won_deals",
                column: "customer_id")
                .Annotation("Npgsql:IndexInclude", new[] { "won_at" });

            migrationBuilder.CreateIndex(
                name: "ix_won_deals_opportunity_id",
                schema: "customers",
                table: "won_deals",
                column: "opportunity_id",
                unique: true);

            // Which deals the wins stored so far came from is known only to Sales: each stored win is carried over as a
            // standing win without an opportunity, so last_won_at stays what it is until newer events move it (ADR 0041).
            // A customer merged away keeps its date, already passed on to its survivor by the merge.
            migrationBuilder.Sql(
                """
                INSERT INTO customers.won_deals (customer_id, won_at, state_at)
                SELECT id, last_won_at, last_won_at FROM customers.customers
                WHERE last_won_at IS NOT NULL AND merged_into_id IS NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "won_deals",
                schema: "customers");

            migrationBuilder.DropColumn(
                name: "xmin",
                schema: "customers",
                table: "balance_ledger");
        }
    }
}
