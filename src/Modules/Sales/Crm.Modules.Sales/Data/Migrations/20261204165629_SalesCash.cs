using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class SalesCash : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "reversed_date",
                schema: "sales",
                table: "payment_receipts",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "product_category",
                schema: "sales",
                table: "contracts",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "terminated_date",
                schema: "sales",
                table: "contracts",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "termination_reason",
                schema: "sales",
                table: "contracts",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            // Receipts reversed before the column existed are dated by the UTC day of their reversal, as new ones are.
            migrationBuilder.Sql("UPDATE sales.payment_receipts SET reversed_date = (reversed_at AT TIME ZONE 'UTC')::date WHERE reversed_at IS NOT NULL;");

            migrationBuilder.CreateTable(
                name: "commission_rules",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    rep_id = table.Column<Guid>(type: "uuid", nullable: true),
                    product_category = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    rate_percent = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: false),
                    valid_from = table.Column<DateOnly>(type: "date", nullable: true),
                    valid_to = table.Column<DateOnly>(type: "date", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_commission_rules", x => x.id);
                    table.CheckConstraint("ck_commission_rules_rate", "rate_percent >= 0 AND rate_percent <= 100");
                    table.CheckConstraint("ck_commission_rules_validity", "valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from");
                });

            migrationBuilder.CreateIndex(
                name: "ix_payment_receipts_received_date",
                schema: "sales",
                table: "payment_receipts",
                column: "received_date");

            migrationBuilder.CreateIndex(
                name: "ix_payment_receipts_reversed_date_owner_id",
                schema: "sales",
                table: "payment_receipts",
                columns: new[] { "reversed_date", "owner_id" },
                filter: "reversed_date IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_commission_rules_rep_id_product_category_valid_from",
                schema: "sales",
                table: "commission_rules",
                columns: new[] { "rep_id", "product_category", "valid_from" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "commission_rules",
                schema: "sales");

            migrationBuilder.DropIndex(
                name: "ix_payment_receipts_received_date",
                schema: "sales",
                table: "payment_receipts");

            migrationBuilder.DropIndex(
                name: "ix_payment_receipts_reversed_date_owner_id",
                schema: "sales",
                table: "payment_receipts");

            migrationBuilder.DropColumn(
                name: "reversed_date",
                schema: "sales",
                table: "payment_receipts");

            migrationBuilder.DropColumn(
                name: "product_category",
                schema: "sales",
                table: "contracts");

            migrationBuilder.DropColumn(
                name: "terminated_date",
                schema: "sales",
                table: "contracts");

            migrationBuilder.DropColumn(
                name: "termination_reason",
                schema: "sales",
                table: "contracts");
        }
    }
}
