using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Integration.Data.Migrations
{
    /// <inheritdoc />
    public partial class IntegrationImportStagedRows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "import_staged_rows",
                schema: "integration",
                columns: table => new
                {
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    row = table.Column<int>(type: "integer", nullable: false),
                    group_key = table.Column<string>(type: "text", nullable: false),
                    values = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_import_staged_rows", x => new { x.job_id, x.group_key, x.row });
                    table.ForeignKey(
                        name: "fk_import_staged_rows_import_jobs_job_id",
                        column: x => x.job_id,
                        principalSchema: "integration",
                        principalTable: "import_jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "import_staged_rows",
                schema: "integration");
        }
    }
}
