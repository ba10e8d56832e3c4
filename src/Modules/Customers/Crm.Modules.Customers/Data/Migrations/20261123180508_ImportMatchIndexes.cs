using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Customers.Data.Migrations
{
    /// <inheritdoc />
    public partial class ImportMatchIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_customers_emails",
                schema: "customers",
                table: "customers",
                column: "emails")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_customers_phones",
                schema: "customers",
                table: "customers",
                column: "phones")
                .Annotation("Npgsql:IndexMethod", "gin");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_customers_emails",
                schema: "customers",
                table: "customers");

            migrationBuilder.DropIndex(
                name: "ix_customers_phones",
                schema: "customers",
                table: "customers");
        }
    }
}
