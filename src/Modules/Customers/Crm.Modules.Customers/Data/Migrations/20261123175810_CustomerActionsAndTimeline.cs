using System;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Customers.Data.Migrations
{
    /// <inheritdoc />
    public partial class CustomerActionsAndTimeline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "blacklist_reason",
                schema: "customers",
                table: "customers",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "blacklisted_at",
                schema: "customers",
                table: "customers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "churn_competitor",
                schema: "customers",
                table: "customers",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "churn_reason",
                schema: "customers",
                table: "customers",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "churn_stage",
                schema: "customers",
                table: "customers",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "churned_at",
                schema: "customers",
                table: "customers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "customer_history",
                schema: "customers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    field = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    from_value = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    to_value = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    actor_id = table.Column<Guid>(type: "uuid", nullable: true),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_history", x => x.id);
                    table.ForeignKey(
                        name: "fk_customer_history_customers_customer_id",
                        column: x => x.customer_id,
                        principalSchema: "customers",
                        principalTable: "customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "timeline_entries",
                schema: "customers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    kind = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    source_module = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    summary = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    data = table.Column<JsonElement>(type: "jsonb", nullable: false),
                    source_event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    source_event_type = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_timeline_entries", x => x.id);
                    table.ForeignKey(
                        name: "fk_timeline_entries_customers_customer_id",
                        column: x => x.customer_id,
                        principalSchema: "customers",
                        principalTable: "customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_customer_history_customer_id_at_id",
                schema: "customers",
                table: "customer_history",
                columns: new[] { "customer_id", "at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_customer_history_customer_id_field_at_id",
                schema: "customers",
                table: "customer_history",
                columns: new[] { "customer_id", "field", "at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_timeline_entries_customer_id_kind_occurred_at_id",
                schema: "customers",
                table: "timeline_entries",
                columns: new[] { "customer_id", "kind", "occurred_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_timeline_entries_customer_id_occurred_at_id",
                schema: "customers",
                table: "timeline_entries",
                columns: new[] { "customer_id", "occurred_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_timeline_entries_source_event_id_customer_id",
                schema: "customers",
                table: "timeline_entries",
                columns: new[] { "source_event_id", "customer_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "customer_history",
                schema: "customers");

            migrationBuilder.DropTable(
                name: "timeline_entries",
                schema: "customers");

            migrationBuilder.DropColumn(
                name: "blacklist_reason",
                schema: "customers",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "blacklisted_at",
                schema: "customers",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "churn_competitor",
                schema: "customers",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "churn_reason",
                schema: "customers",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "churn_stage",
                schema: "customers",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "churned_at",
                schema: "customers",
                table: "customers");
        }
    }
}
