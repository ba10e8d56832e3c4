using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class SalesLeads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_leads_emails",
                schema: "sales",
                table: "leads",
                column: "emails")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_leads_phones",
                schema: "sales",
                table: "leads",
                column: "phones")
                .Annotation("Npgsql:IndexMethod", "gin");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_leads_emails",
                schema: "sales",
                table: "leads");

            migrationBuilder.DropIndex(
                name: "ix_leads_phones",
                schema: "sales",
                table: "leads");
        }
    }
}
