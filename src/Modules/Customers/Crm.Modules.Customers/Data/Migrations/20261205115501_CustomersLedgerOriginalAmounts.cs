using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Customers.Data.Migrations
{
    /// <inheritdoc />
    public partial class CustomersLedgerOriginalAmounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<decimal>(
                name: "original_amount",
                schema: "customers",
                table: "balance_ledger",
                type: "numeric(18,2)",
                precision: 18,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "original_currency",
                schema: "customers",
                table: "balance_ledger",
                type: "character varying(3)",
                maxLength: 3,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "original_amount",
                schema: "customers",
                table: "balance_ledger");

            migrationBuilder.DropColumn(
                name: "original_currency",
                schema: "customers",
                table: "balance_ledger");
        }
    }
}
