using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.IntegrationTests.Sample.Migrations
{
    /// <inheritdoc />
    public partial class AuditMapping : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
