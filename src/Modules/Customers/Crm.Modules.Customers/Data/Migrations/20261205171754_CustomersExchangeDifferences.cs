using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Customers.Data.Migrations
{
    /// <inheritdoc />
    public partial class CustomersExchangeDifferences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_balance_ledger_customer_id_contract_id_applied_at_event_id",
                schema: "customers",
                table: "balance_ledger",
                columns: new[] { "customer_id", "contract_id", "applied_at", "event_id" },
                filter: "contract_id IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_balance_ledger_customer_id_contract_id_applied_at_event_id",
                schema: "customers",
                table: "balance_ledger");
        }
    }
}
