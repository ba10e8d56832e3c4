using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Integration.Data.Migrations
{
    /// <inheritdoc />
    public partial class IntegrationImportJobOptions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "options",
                schema: "integration",
                table: "import_jobs",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'{}'::jsonb");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "options",
                schema: "integration",
                table: "import_jobs");
        }
    }
}
