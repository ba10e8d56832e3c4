using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.IntegrationTests.Sample.Migrations
{
    /// <inheritdoc />
    public partial class SampleDeals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "deals",
                schema: "sample_notes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deals", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_deals_owner_id",
                schema: "sample_notes",
                table: "deals",
                column: "owner_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deals",
                schema: "sample_notes");
        }
    }
}
