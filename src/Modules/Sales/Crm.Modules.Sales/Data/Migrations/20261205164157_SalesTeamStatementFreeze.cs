using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class SalesTeamStatementFreeze : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The shipment's own ETag is its row version (a system column: Npgsql adds nothing to the table).
            migrationBuilder.AddColumn<uint>(
                name: "xmin",
                schema: "sales",
                table: "shipments",
                type: "xid",
                rowVersion: true,
                nullable: false,
                defaultValue: 0u);

            migrationBuilder.AddColumn<decimal>(
                name: "cny_amount",
                schema: "sales",
                table: "commission_statement_lines",
                type: "numeric(18,2)",
                precision: 18,
                scale: 2,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<decimal>(
                name: "cny_rate",
                schema: "sales",
                table: "commission_statement_lines",
                type: "numeric(18,6)",
                precision: 18,
                scale: 6,
                nullable: false,
                defaultValue: 1m);

            // Lines frozen before statements were in CNY added their amounts nominally: rate 1 and the nominal amount are
            // what their commission was computed on, so the stored statements keep meaning what was paid (ADR 0034).
            migrationBuilder.Sql("UPDATE sales.commission_statement_lines SET cny_amount = amount;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "xmin",
                schema: "sales",
                table: "shipments");

            migrationBuilder.DropColumn(
                name: "cny_amount",
                schema: "sales",
                table: "commission_statement_lines");

            migrationBuilder.DropColumn(
                name: "cny_rate",
                schema: "sales",
                table: "commission_statement_lines");
        }
    }
}
