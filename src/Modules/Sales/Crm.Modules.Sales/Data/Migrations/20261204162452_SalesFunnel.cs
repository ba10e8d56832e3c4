using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class SalesFunnel : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sales_quotas",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    subject_kind = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    subject_id = table.Column<Guid>(type: "uuid", nullable: false),
                    period = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    period_kind = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    period_start = table.Column<DateOnly>(type: "date", nullable: false),
                    period_end = table.Column<DateOnly>(type: "date", nullable: false),
                    amount_target = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    new_customers_target = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_quotas", x => x.id);
                    table.CheckConstraint("ck_sales_quotas_amount_target", "amount_target >= 0");
                    table.CheckConstraint("ck_sales_quotas_new_customers_target", "new_customers_target >= 0");
                    table.CheckConstraint("ck_sales_quotas_period", "period_end > period_start");
                });

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_open_expected_close",
                schema: "sales",
                table: "opportunities",
                columns: new[] { "expected_close_date", "owner_id" },
                filter: "status = 'Open'");

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_won_closed_at",
                schema: "sales",
                table: "opportunities",
                columns: new[] { "closed_at", "owner_id" },
                filter: "status = 'Won'");

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_won_customer",
                schema: "sales",
                table: "opportunities",
                columns: new[] { "customer_id", "closed_at" },
                filter: "status = 'Won'");

            migrationBuilder.CreateIndex(
                name: "ix_sales_quotas_period_start_id",
                schema: "sales",
                table: "sales_quotas",
                columns: new[] { "period_start", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_sales_quotas_subject_kind_subject_id_period",
                schema: "sales",
                table: "sales_quotas",
                columns: new[] { "subject_kind", "subject_id", "period" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sales_quotas",
                schema: "sales");

            migrationBuilder.DropIndex(
                name: "ix_opportunities_open_expected_close",
                schema: "sales",
                table: "opportunities");

            migrationBuilder.DropIndex(
                name: "ix_opportunities_won_closed_at",
                schema: "sales",
                table: "opportunities");

            migrationBuilder.DropIndex(
                name: "ix_opportunities_won_customer",
                schema: "sales",
                table: "opportunities");
        }
    }
}
