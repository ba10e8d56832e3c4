using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class SalesQuotes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "price_books",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    tier = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: true),
                    valid_from = table.Column<DateOnly>(type: "date", nullable: true),
                    valid_to = table.Column<DateOnly>(type: "date", nullable: true),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_price_books", x => x.id);
                    table.CheckConstraint("ck_price_books_kind_target", "(kind = 'Standard' AND tier IS NULL AND customer_id IS NULL) OR (kind = 'Tier' AND tier IS NOT NULL AND customer_id IS NULL) OR (kind = 'Customer' AND customer_id IS NOT NULL AND tier IS NULL)");
                    table.CheckConstraint("ck_price_books_validity", "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to");
                });

            migrationBuilder.CreateTable(
                name: "price_book_entries",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    price_book_id = table.Column<Guid>(type: "uuid", nullable: false),
                    product_id = table.Column<Guid>(type: "uuid", nullable: false),
                    unit_price = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_price_book_entries", x => x.id);
                    table.CheckConstraint("ck_price_book_entries_unit_price", "unit_price >= 0");
                    table.ForeignKey(
                        name: "fk_price_book_entries_price_books_price_book_id",
                        column: x => x.price_book_id,
                        principalSchema: "sales",
                        principalTable: "price_books",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_price_book_entries_products_product_id",
                        column: x => x.product_id,
                        principalSchema: "sales",
                        principalTable: "products",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_price_book_entries_price_book_id_product_id",
                schema: "sales",
                table: "price_book_entries",
                columns: new[] { "price_book_id", "product_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_price_book_entries_product_id",
                schema: "sales",
                table: "price_book_entries",
                column: "product_id");

            migrationBuilder.CreateIndex(
                name: "ix_price_books_customer_id",
                schema: "sales",
                table: "price_books",
                column: "customer_id",
                filter: "customer_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_price_books_name",
                schema: "sales",
                table: "price_books",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_price_books_single_standard",
                schema: "sales",
                table: "price_books",
                column: "kind",
                unique: true,
                filter: "kind = 'Standard'");

            migrationBuilder.CreateIndex(
                name: "ix_price_books_tier",
                schema: "sales",
                table: "price_books",
                column: "tier",
                filter: "tier IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "price_book_entries",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "price_books",
                schema: "sales");
        }
    }
}
