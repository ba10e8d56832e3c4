using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class SalesContractExternalId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "external_id",
                schema: "sales",
                table: "payment_receipts",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "external_id",
                schema: "sales",
                table: "contracts",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_payment_receipts_customer_id_received_date",
                schema: "sales",
                table: "payment_receipts",
                columns: new[] { "customer_id", "received_date" });

            migrationBuilder.CreateIndex(
                name: "ix_payment_receipts_external_id",
                schema: "sales",
                table: "payment_receipts",
                column: "external_id",
                unique: true,
                filter: "external_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_contracts_external_id",
                schema: "sales",
                table: "contracts",
                column: "external_id",
                unique: true,
                filter: "external_id IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_payment_receipts_customer_id_received_date",
                schema: "sales",
                table: "payment_receipts");

            migrationBuilder.DropIndex(
                name: "ix_payment_receipts_external_id",
                schema: "sales",
                table: "payment_receipts");

            migrationBuilder.DropIndex(
                name: "ix_contracts_external_id",
                schema: "sales",
                table: "contracts");

            migrationBuilder.DropColumn(
                name: "external_id",
                schema: "sales",
                table: "payment_receipts");

            migrationBuilder.DropColumn(
                name: "external_id",
                schema: "sales",
                table: "contracts");
        }
    }
}
