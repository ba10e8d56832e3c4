using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class SalesOpportunities : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "description",
                schema: "sales",
                table: "opportunities",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "lost_to_competitor_id",
                schema: "sales",
                table: "opportunities",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "source",
                schema: "sales",
                table: "opportunities",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "competitors",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    website = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    strengths = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    weaknesses = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    notes = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_competitors", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "opportunity_lines",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: false),
                    product_id = table.Column<Guid>(type: "uuid", nullable: false),
                    quantity = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    unit_price = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    discount_percent = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: false),
                    line_amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_opportunity_lines", x => x.id);
                    table.CheckConstraint("ck_opportunity_lines_discount", "discount_percent BETWEEN 0 AND 100");
                    table.CheckConstraint("ck_opportunity_lines_quantity", "quantity > 0");
                    table.CheckConstraint("ck_opportunity_lines_unit_price", "unit_price >= 0");
                    table.ForeignKey(
                        name: "fk_opportunity_lines_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalSchema: "sales",
                        principalTable: "opportunities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_opportunity_lines_products_product_id",
                        column: x => x.product_id,
                        principalSchema: "sales",
                        principalTable: "products",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "opportunity_competitors",
                schema: "sales",
                columns: table => new
                {
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: false),
                    competitor_id = table.Column<Guid>(type: "uuid", nullable: false),
                    added_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    added_by = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_opportunity_competitors", x => new { x.opportunity_id, x.competitor_id });
                    table.ForeignKey(
                        name: "fk_opportunity_competitors_competitors_competitor_id",
                        column: x => x.competitor_id,
                        principalSchema: "sales",
                        principalTable: "competitors",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_opportunity_competitors_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalSchema: "sales",
                        principalTable: "opportunities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_lost_to_competitor_id",
                schema: "sales",
                table: "opportunities",
                column: "lost_to_competitor_id",
                filter: "lost_to_competitor_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_name_trgm",
                schema: "sales",
                table: "opportunities",
                column: "name")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_competitors_name",
                schema: "sales",
                table: "competitors",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_opportunity_competitors_competitor_id",
                schema: "sales",
                table: "opportunity_competitors",
                column: "competitor_id");

            migrationBuilder.CreateIndex(
                name: "ix_opportunity_lines_opportunity_id_created_at",
                schema: "sales",
                table: "opportunity_lines",
                columns: new[] { "opportunity_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_opportunity_lines_product_id",
                schema: "sales",
                table: "opportunity_lines",
                column: "product_id");

            migrationBuilder.AddForeignKey(
                name: "fk_opportunities_competitors_lost_to_competitor_id",
                schema: "sales",
                table: "opportunities",
                column: "lost_to_competitor_id",
                principalSchema: "sales",
                principalTable: "competitors",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_opportunities_competitors_lost_to_competitor_id",
                schema: "sales",
                table: "opportunities");

            migrationBuilder.DropTable(
                name: "opportunity_competitors",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "opportunity_lines",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "competitors",
                schema: "sales");

            migrationBuilder.DropIndex(
                name: "ix_opportunities_lost_to_competitor_id",
                schema: "sales",
                table: "opportunities");

            migrationBuilder.DropIndex(
                name: "ix_opportunities_name_trgm",
                schema: "sales",
                table: "opportunities");

            migrationBuilder.DropColumn(
                name: "description",
                schema: "sales",
                table: "opportunities");

            migrationBuilder.DropColumn(
                name: "lost_to_competitor_id",
                schema: "sales",
                table: "opportunities");

            migrationBuilder.DropColumn(
                name: "source",
                schema: "sales",
                table: "opportunities");
        }
    }
}
