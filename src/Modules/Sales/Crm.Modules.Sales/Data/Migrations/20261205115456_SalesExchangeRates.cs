using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class SalesExchangeRates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Receipts and signed contracts recorded before exchange rates moved the CNY balance by their nominal amount:
            // rate 1 is what they were booked at, so a later reversal or termination undoes exactly what was applied.
            migrationBuilder.AddColumn<decimal>(
                name: "cny_rate",
                schema: "sales",
                table: "payment_receipts",
                type: "numeric(18,6)",
                precision: 18,
                scale: 6,
                nullable: false,
                defaultValue: 1m);

            migrationBuilder.AddColumn<decimal>(
                name: "cny_rate",
                schema: "sales",
                table: "contracts",
                type: "numeric(18,6)",
                precision: 18,
                scale: 6,
                nullable: true);

            migrationBuilder.Sql("UPDATE sales.contracts SET cny_rate = 1 WHERE signed_date IS NOT NULL;");

            migrationBuilder.CreateTable(
                name: "exchange_rates",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    rate_date = table.Column<DateOnly>(type: "date", nullable: false),
                    rate = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    source = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_exchange_rates", x => x.id);
                    table.CheckConstraint("ck_exchange_rates_currency", "currency ~ '^[A-Z]{3}$' AND currency <> 'CNY'");
                    table.CheckConstraint("ck_exchange_rates_rate", "rate > 0");
                });

            migrationBuilder.CreateIndex(
                name: "ix_exchange_rates_currency_rate_date",
                schema: "sales",
                table: "exchange_rates",
                columns: new[] { "currency", "rate_date" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_exchange_rates_rate_date_id",
                schema: "sales",
                table: "exchange_rates",
                columns: new[] { "rate_date", "id" });

            // The conversion factors of a report: its own currency at 1 and, for a CNY report, every other currency at the
            // rate effective on the report day (a currency without one has no row, so its deals and quotas do not count).
            // The forecast and performance statements join it like a small table.
            migrationBuilder.Sql(
                """
                CREATE FUNCTION sales.report_rates(report_currency text, on_day date)
                RETURNS TABLE (currency text, factor numeric) LANGUAGE sql STABLE ROWS 20 AS $$
                    SELECT report_currency, 1::numeric
                    UNION ALL
                    (SELECT DISTINCT ON (r.currency) r.currency::text, r.rate
                     FROM sales.exchange_rates r
                     WHERE report_currency = 'CNY' AND r.rate_date <= on_day
                     ORDER BY r.currency, r.rate_date DESC)
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION sales.report_rates(text, date);");

            migrationBuilder.DropTable(
                name: "exchange_rates",
                schema: "sales");

            migrationBuilder.DropColumn(
                name: "cny_rate",
                schema: "sales",
                table: "payment_receipts");

            migrationBuilder.DropColumn(
                name: "cny_rate",
                schema: "sales",
                table: "contracts");
        }
    }
}
