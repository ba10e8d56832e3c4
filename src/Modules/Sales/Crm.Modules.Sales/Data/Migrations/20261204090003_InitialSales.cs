using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Crm.Modules.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialSales : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "sales");

            migrationBuilder.CreateTable(
                name: "outbox_deliveries",
                schema: "sales",
                columns: table => new
                {
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    consumer = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_deliveries", x => new { x.message_id, x.consumer });
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    type = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    payload = table.Column<string>(type: "jsonb", nullable: false),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    processed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    dead_lettered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "partners",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    province = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    contact_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    phone = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: true),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_partners", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "pipelines",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    is_default = table.Column<bool>(type: "boolean", nullable: false),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pipelines", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "products",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    sku = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    unit = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    category = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    list_price = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_products", x => x.id);
                    table.CheckConstraint("ck_products_list_price", "list_price >= 0");
                });

            migrationBuilder.CreateTable(
                name: "pipeline_stages",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    pipeline_id = table.Column<Guid>(type: "uuid", nullable: false),
                    code = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    probability = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pipeline_stages", x => x.id);
                    table.CheckConstraint("ck_pipeline_stages_probability", "probability BETWEEN 0 AND 100");
                    table.ForeignKey(
                        name: "fk_pipeline_stages_pipelines_pipeline_id",
                        column: x => x.pipeline_id,
                        principalSchema: "sales",
                        principalTable: "pipelines",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "opportunities",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    contact_id = table.Column<Guid>(type: "uuid", nullable: true),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: true),
                    pipeline_id = table.Column<Guid>(type: "uuid", nullable: false),
                    stage_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    probability = table.Column<int>(type: "integer", nullable: false),
                    expected_close_date = table.Column<DateOnly>(type: "date", nullable: true),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    team_id = table.Column<Guid>(type: "uuid", nullable: true),
                    partner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    stage_entered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_opportunities", x => x.id);
                    table.CheckConstraint("ck_opportunities_amount", "amount >= 0");
                    table.ForeignKey(
                        name: "fk_opportunities_partners_partner_id",
                        column: x => x.partner_id,
                        principalSchema: "sales",
                        principalTable: "partners",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_opportunities_pipeline_stages_stage_id",
                        column: x => x.stage_id,
                        principalSchema: "sales",
                        principalTable: "pipeline_stages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_opportunities_pipelines_pipeline_id",
                        column: x => x.pipeline_id,
                        principalSchema: "sales",
                        principalTable: "pipelines",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "opportunity_stage_changes",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: false),
                    from_stage_id = table.Column<Guid>(type: "uuid", nullable: false),
                    to_stage_id = table.Column<Guid>(type: "uuid", nullable: false),
                    from_stage_entered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    changed_by = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_opportunity_stage_changes", x => x.id);
                    table.ForeignKey(
                        name: "fk_opportunity_stage_changes_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalSchema: "sales",
                        principalTable: "opportunities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_opportunity_stage_changes_pipeline_stages_from_stage_id",
                        column: x => x.from_stage_id,
                        principalSchema: "sales",
                        principalTable: "pipeline_stages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_opportunity_stage_changes_pipeline_stages_to_stage_id",
                        column: x => x.to_stage_id,
                        principalSchema: "sales",
                        principalTable: "pipeline_stages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.InsertData(
                schema: "sales",
                table: "pipelines",
                columns: new[] { "id", "active", "created_at", "is_default", "name", "updated_at" },
                values: new object[] { new Guid("01930000-0000-7000-8000-000000000001"), true, new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), true, "默认销售流程 Default pipeline", new DateTimeOffset(new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) });

            migrationBuilder.InsertData(
                schema: "sales",
                table: "pipeline_stages",
                columns: new[] { "id", "code", "kind", "name", "pipeline_id", "position", "probability" },
                values: new object[,]
                {
                    { new Guid("01930000-0000-7000-8000-000000000101"), "initialContact", "Open", "初期联络 Initial contact", new Guid("01930000-0000-7000-8000-000000000001"), 1, 10 },
                    { new Guid("01930000-0000-7000-8000-000000000102"), "intentReached", "Open", "意向达成 Intent reached", new Guid("01930000-0000-7000-8000-000000000001"), 2, 30 },
                    { new Guid("01930000-0000-7000-8000-000000000103"), "businessNegotiation", "Open", "商务谈判 Business negotiation", new Guid("01930000-0000-7000-8000-000000000001"), 3, 60 },
                    { new Guid("01930000-0000-7000-8000-000000000104"), "contractSigned", "Open", "合同签订 Contract signed", new Guid("01930000-0000-7000-8000-000000000001"), 4, 90 },
                    { new Guid("01930000-0000-7000-8000-000000000105"), "closedWon", "Won", "赢单 Closed won", new Guid("01930000-0000-7000-8000-000000000001"), 5, 100 },
                    { new Guid("01930000-0000-7000-8000-000000000106"), "closedLost", "Lost", "输单 Closed lost", new Guid("01930000-0000-7000-8000-000000000001"), 6, 0 }
                });

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_customer_id_created_at_id",
                schema: "sales",
                table: "opportunities",
                columns: new[] { "customer_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_owner_id_created_at_id",
                schema: "sales",
                table: "opportunities",
                columns: new[] { "owner_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_partner_id",
                schema: "sales",
                table: "opportunities",
                column: "partner_id");

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_pipeline_id_stage_id",
                schema: "sales",
                table: "opportunities",
                columns: new[] { "pipeline_id", "stage_id" });

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_stage_id",
                schema: "sales",
                table: "opportunities",
                column: "stage_id");

            migrationBuilder.CreateIndex(
                name: "ix_opportunity_stage_changes_from_stage_id",
                schema: "sales",
                table: "opportunity_stage_changes",
                column: "from_stage_id");

            migrationBuilder.CreateIndex(
                name: "ix_opportunity_stage_changes_opportunity_id_changed_at",
                schema: "sales",
                table: "opportunity_stage_changes",
                columns: new[] { "opportunity_id", "changed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_opportunity_stage_changes_to_stage_id",
                schema: "sales",
                table: "opportunity_stage_changes",
                column: "to_stage_id");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_pending",
                schema: "sales",
                table: "outbox_messages",
                columns: new[] { "next_attempt_at", "id" },
                filter: "processed_at IS NULL AND dead_lettered_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_partners_name",
                schema: "sales",
                table: "partners",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_pipeline_stages_pipeline_id_code",
                schema: "sales",
                table: "pipeline_stages",
                columns: new[] { "pipeline_id", "code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_pipeline_stages_pipeline_id_position",
                schema: "sales",
                table: "pipeline_stages",
                columns: new[] { "pipeline_id", "position" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_pipelines_is_default",
                schema: "sales",
                table: "pipelines",
                column: "is_default",
                unique: true,
                filter: "is_default");

            migrationBuilder.CreateIndex(
                name: "ix_pipelines_name",
                schema: "sales",
                table: "pipelines",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_products_category",
                schema: "sales",
                table: "products",
                column: "category");

            migrationBuilder.CreateIndex(
                name: "ix_products_sku",
                schema: "sales",
                table: "products",
                column: "sku",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "opportunity_stage_changes",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "outbox_deliveries",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "outbox_messages",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "products",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "opportunities",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "partners",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "pipeline_stages",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "pipelines",
                schema: "sales");
        }
    }
}
