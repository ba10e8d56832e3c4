using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Customers.Data.Migrations
{
    /// <inheritdoc />
    public partial class CustomersKeyIndexesWithoutPendingList : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // ALTER instead of the generated drop and re-create: no rebuild and no lock beyond a moment on a large table.
            // Entries already pending move into the tree at the next VACUUM.
            migrationBuilder.Sql("ALTER INDEX customers.ix_customers_phone_keys SET (fastupdate = false);");
            migrationBuilder.Sql("ALTER INDEX customers.ix_customers_emails SET (fastupdate = false);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER INDEX customers.ix_customers_phone_keys RESET (fastupdate);");
            migrationBuilder.Sql("ALTER INDEX customers.ix_customers_emails RESET (fastupdate);");
        }
    }
}
