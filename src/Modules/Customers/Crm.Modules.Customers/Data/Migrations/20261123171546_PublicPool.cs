using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Crm.Modules.Customers.Data.Migrations
{
    /// <inheritdoc />
    public partial class PublicPool : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<Guid>(
                name: "to_owner_id",
                schema: "customers",
                table: "customer_owner_history",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.CreateTable(
                name: "pool_rules",
                schema: "customers",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    tier = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    max_owned_per_rep = table.Column<int>(type: "integer", nullable: true),
                    reclaim_after_days_without_follow_up = table.Column<int>(type: "integer", nullable: true),
                    reclaim_after_days_without_won_deal = table.Column<int>(type: "integer", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pool_rules", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_pool_rules_tier",
                schema: "customers",
                table: "pool_rules",
                column: "tier",
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "pool_rules",
                schema: "customers");

            migrationBuilder.AlterColumn<Guid>(
                name: "to_owner_id",
                schema: "customers",
                table: "customer_owner_history",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);
        }
    }
}
