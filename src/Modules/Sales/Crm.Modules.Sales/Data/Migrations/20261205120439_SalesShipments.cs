using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class SalesShipments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_orders_open_by_customer",
                schema: "sales",
                table: "orders");

            migrationBuilder.AddColumn<decimal>(
                name: "shipped_amount",
                schema: "sales",
                table: "order_lines",
                type: "numeric(18,2)",
                precision: 18,
                scale: 2,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<decimal>(
                name: "shipped_quantity",
                schema: "sales",
                table: "order_lines",
                type: "numeric(18,3)",
                precision: 18,
                scale: 3,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.CreateTable(
                name: "shipments",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    order_id = table.Column<Guid>(type: "uuid", nullable: false),
                    number = table.Column<int>(type: "integer", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    shipped_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    carrier = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    tracking_number = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    created_by = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    cancelled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    cancellation_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shipments", x => x.id);
                    table.CheckConstraint("ck_shipments_cancellation", "(cancelled_at IS NULL) = (cancellation_reason IS NULL)");
                    table.ForeignKey(
                        name: "fk_shipments_orders_order_id",
                        column: x => x.order_id,
                        principalSchema: "sales",
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "shipment_lines",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    shipment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    order_line_id = table.Column<Guid>(type: "uuid", nullable: false),
                    quantity = table.Column<decimal>(type: "numeric(18,3)", precision: 18, scale: 3, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shipment_lines", x => x.id);
                    table.CheckConstraint("ck_shipment_lines_quantity", "quantity > 0");
                    table.ForeignKey(
                        name: "fk_shipment_lines_order_lines_order_line_id",
                        column: x => x.order_line_id,
                        principalSchema: "sales",
                        principalTable: "order_lines",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_shipment_lines_shipments_shipment_id",
                        column: x => x.shipment_id,
                        principalSchema: "sales",
                        principalTable: "shipments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_orders_open_by_customer",
                schema: "sales",
                table: "orders",
                column: "customer_id",
                filter: "status IN ('Confirmed', 'PartiallyShipped', 'Shipped')")
                .Annotation("Npgsql:IndexInclude", new[] { "total" });

            migrationBuilder.AddCheckConstraint(
                name: "ck_order_lines_shipped_quantity",
                schema: "sales",
                table: "order_lines",
                sql: "shipped_quantity BETWEEN 0 AND quantity");

            migrationBuilder.CreateIndex(
                name: "ix_shipment_lines_order_line_id",
                schema: "sales",
                table: "shipment_lines",
                column: "order_line_id");

            migrationBuilder.CreateIndex(
                name: "ix_shipment_lines_shipment_id",
                schema: "sales",
                table: "shipment_lines",
                column: "shipment_id");

            migrationBuilder.CreateIndex(
                name: "ix_shipments_order_id_number",
                schema: "sales",
                table: "shipments",
                columns: new[] { "order_id", "number" },
                unique: true);

            // Orders shipped in one step before shipments existed get that one shipment of every line, so their lines
            // report what shipped and the sum of an order's shipments is what it shipped.
            migrationBuilder.Sql(
                """
                UPDATE sales.order_lines l SET shipped_quantity = l.quantity, shipped_amount = l.line_total
                FROM sales.orders o WHERE o.id = l.order_id AND o.status IN ('Shipped', 'Completed');

                INSERT INTO sales.shipments (id, order_id, number, customer_id, owner_id, shipped_at, note, amount, currency, created_at)
                SELECT gen_random_uuid(), o.id, 1, o.customer_id, o.owner_id, COALESCE(o.shipped_at, o.updated_at),
                       'Shipped in one step before partial shipments existed.', o.total, o.currency, now()
                FROM sales.orders o WHERE o.status IN ('Shipped', 'Completed');

                INSERT INTO sales.shipment_lines (id, shipment_id, order_line_id, quantity, amount)
                SELECT gen_random_uuid(), s.id, l.id, l.quantity, l.line_total
                FROM sales.shipments s JOIN sales.order_lines l ON l.order_id = s.order_id;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE sales.orders SET status = 'Confirmed' WHERE status = 'PartiallyShipped';");

            migrationBuilder.DropTable(
                name: "shipment_lines",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "shipments",
                schema: "sales");

            migrationBuilder.DropIndex(
                name: "ix_orders_open_by_customer",
                schema: "sales",
                table: "orders");

            migrationBuilder.DropCheckConstraint(
                name: "ck_order_lines_shipped_quantity",
                schema: "sales",
                table: "order_lines");

            migrationBuilder.DropColumn(
                name: "shipped_amount",
                schema: "sales",
                table: "order_lines");

            migrationBuilder.DropColumn(
                name: "shipped_quantity",
                schema: "sales",
                table: "order_lines");

            migrationBuilder.CreateIndex(
                name: "ix_orders_open_by_customer",
                schema: "sales",
                table: "orders",
                column: "customer_id",
                filter: "status IN ('Confirmed', 'Shipped')")
                .Annotation("Npgsql:IndexInclude", new[] { "total" });
        }
    }
}
