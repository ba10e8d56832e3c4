using System;
using System.Collections.Generic;
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

            migrationBuilder.CreateSequence(
                name: "contract_number_seq",
                schema: "sales",
                startValue: 10000001L);

            migrationBuilder.CreateTable(
                name: "expense_reports",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    status = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    total = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    submitted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_expense_reports", x => x.id);
                    table.CheckConstraint("ck_expense_reports_total", "total >= 0");
                });

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
                name: "territories",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    provinces = table.Column<List<string>>(type: "text[]", nullable: false),
                    industries = table.Column<List<string>>(type: "text[]", nullable: false),
                    user_ids = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_territories", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "expense_decisions",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    report_id = table.Column<Guid>(type: "uuid", nullable: false),
                    action = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    from_status = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    to_status = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    actor_id = table.Column<Guid>(type: "uuid", nullable: true),
                    comment = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_expense_decisions", x => x.id);
                    table.ForeignKey(
                        name: "fk_expense_decisions_expense_reports_report_id",
                        column: x => x.report_id,
                        principalSchema: "sales",
                        principalTable: "expense_reports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "leads",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    source = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    campaign_id = table.Column<Guid>(type: "uuid", nullable: true),
                    company_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    person_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    title = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    phones = table.Column<List<string>>(type: "text[]", nullable: false),
                    emails = table.Column<List<string>>(type: "text[]", nullable: false),
                    province = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    city = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    industry = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    estimated_value = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: true),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    score = table.Column<int>(type: "integer", nullable: true),
                    status = table.Column<string>(type: "character varying(15)", maxLength: 15, nullable: false),
                    disqualification_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    team_id = table.Column<Guid>(type: "uuid", nullable: true),
                    partner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    notes = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    last_follow_up_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    qualified_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    disqualified_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    converted_customer_id = table.Column<Guid>(type: "uuid", nullable: true),
                    converted_contact_id = table.Column<Guid>(type: "uuid", nullable: true),
                    converted_opportunity_id = table.Column<Guid>(type: "uuid", nullable: true),
                    converted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    search_text = table.Column<string>(type: "text", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_leads", x => x.id);
                    table.CheckConstraint("ck_leads_estimated_value", "estimated_value >= 0");
                    table.CheckConstraint("ck_leads_score", "score BETWEEN 0 AND 100");
                    table.ForeignKey(
                        name: "fk_leads_partners_partner_id",
                        column: x => x.partner_id,
                        principalSchema: "sales",
                        principalTable: "partners",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
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

            migrationBuilder.CreateTable(
                name: "assignment_rules",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    territory_id = table.Column<Guid>(type: "uuid", nullable: true),
                    provinces = table.Column<List<string>>(type: "text[]", nullable: false),
                    industries = table.Column<List<string>>(type: "text[]", nullable: false),
                    sources = table.Column<List<string>>(type: "text[]", nullable: false),
                    strategy = table.Column<string>(type: "character varying(15)", maxLength: 15, nullable: false),
                    user_ids = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    rotation = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_assignment_rules", x => x.id);
                    table.ForeignKey(
                        name: "fk_assignment_rules_territories_territory_id",
                        column: x => x.territory_id,
                        principalSchema: "sales",
                        principalTable: "territories",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "lead_follow_ups",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    content = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    next_follow_up_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    author_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_lead_follow_ups", x => x.id);
                    table.ForeignKey(
                        name: "fk_lead_follow_ups_leads_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "sales",
                        principalTable: "leads",
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
                    lost_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
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
                name: "activities",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    subject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    start_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    end_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    attendee_ids = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: true),
                    contact_id = table.Column<Guid>(type: "uuid", nullable: true),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: true),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: true),
                    channel = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: true),
                    status = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    outcome = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    urgent = table.Column<bool>(type: "boolean", nullable: false),
                    important = table.Column<bool>(type: "boolean", nullable: false),
                    quadrant = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    reminder_minutes_before = table.Column<int>(type: "integer", nullable: true),
                    consent_override_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_activities", x => x.id);
                    table.CheckConstraint("ck_activities_end_after_start", "end_at IS NULL OR (end_at > start_at AND end_at <= start_at + interval '31 days')");
                    table.CheckConstraint("ck_activities_reminder", "reminder_minutes_before IS NULL OR reminder_minutes_before BETWEEN 0 AND 40320");
                    table.ForeignKey(
                        name: "fk_activities_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalSchema: "sales",
                        principalTable: "opportunities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "contracts",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    number = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false, defaultValueSql: "'HT' || nextval('sales.contract_number_seq')"),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    start_date = table.Column<DateOnly>(type: "date", nullable: false),
                    end_date = table.Column<DateOnly>(type: "date", nullable: false),
                    signed_date = table.Column<DateOnly>(type: "date", nullable: true),
                    status = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: true),
                    order_id = table.Column<Guid>(type: "uuid", nullable: true),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    renewal_of_id = table.Column<Guid>(type: "uuid", nullable: true),
                    received_amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_contracts", x => x.id);
                    table.CheckConstraint("ck_contracts_amount", "amount >= 0");
                    table.CheckConstraint("ck_contracts_dates", "end_date >= start_date");
                    table.ForeignKey(
                        name: "fk_contracts_contracts_renewal_of_id",
                        column: x => x.renewal_of_id,
                        principalSchema: "sales",
                        principalTable: "contracts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_contracts_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalSchema: "sales",
                        principalTable: "opportunities",
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

            migrationBuilder.CreateTable(
                name: "expense_lines",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    report_id = table.Column<Guid>(type: "uuid", nullable: false),
                    date = table.Column<DateOnly>(type: "date", nullable: false),
                    category = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    activity_id = table.Column<Guid>(type: "uuid", nullable: true),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: true),
                    receipts = table.Column<List<string>>(type: "text[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_expense_lines", x => x.id);
                    table.CheckConstraint("ck_expense_lines_amount", "amount > 0");
                    table.ForeignKey(
                        name: "fk_expense_lines_activities_activity_id",
                        column: x => x.activity_id,
                        principalSchema: "sales",
                        principalTable: "activities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_expense_lines_expense_reports_report_id",
                        column: x => x.report_id,
                        principalSchema: "sales",
                        principalTable: "expense_reports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_expense_lines_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalSchema: "sales",
                        principalTable: "opportunities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "payment_instalments",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    contract_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<int>(type: "integer", nullable: false),
                    due_date = table.Column<DateOnly>(type: "date", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    paid_amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payment_instalments", x => x.id);
                    table.CheckConstraint("ck_payment_instalments_amount", "amount > 0");
                    table.CheckConstraint("ck_payment_instalments_paid", "paid_amount >= 0 AND paid_amount <= amount");
                    table.ForeignKey(
                        name: "fk_payment_instalments_contracts_contract_id",
                        column: x => x.contract_id,
                        principalSchema: "sales",
                        principalTable: "contracts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "payment_receipts",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    contract_id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    instalment_id = table.Column<Guid>(type: "uuid", nullable: true),
                    amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    received_date = table.Column<DateOnly>(type: "date", nullable: false),
                    method = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    reference = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    status = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    reversal_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    reversed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payment_receipts", x => x.id);
                    table.CheckConstraint("ck_payment_receipts_amount", "amount > 0");
                    table.ForeignKey(
                        name: "fk_payment_receipts_contracts_contract_id",
                        column: x => x.contract_id,
                        principalSchema: "sales",
                        principalTable: "contracts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_payment_receipts_payment_instalments_instalment_id",
                        column: x => x.instalment_id,
                        principalSchema: "sales",
                        principalTable: "payment_instalments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "payment_allocations",
                schema: "sales",
                columns: table => new
                {
                    receipt_id = table.Column<Guid>(type: "uuid", nullable: false),
                    instalment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payment_allocations", x => new { x.receipt_id, x.instalment_id });
                    table.CheckConstraint("ck_payment_allocations_amount", "amount > 0");
                    table.ForeignKey(
                        name: "fk_payment_allocations_payment_instalments_instalment_id",
                        column: x => x.instalment_id,
                        principalSchema: "sales",
                        principalTable: "payment_instalments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_payment_allocations_payment_receipts_receipt_id",
                        column: x => x.receipt_id,
                        principalSchema: "sales",
                        principalTable: "payment_receipts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
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
                name: "ix_activities_attendee_ids",
                schema: "sales",
                table: "activities",
                column: "attendee_ids")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_activities_customer_id_start_at_id",
                schema: "sales",
                table: "activities",
                columns: new[] { "customer_id", "start_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_activities_opportunity_id_start_at",
                schema: "sales",
                table: "activities",
                columns: new[] { "opportunity_id", "start_at" });

            migrationBuilder.CreateIndex(
                name: "ix_activities_owner_id_start_at_id",
                schema: "sales",
                table: "activities",
                columns: new[] { "owner_id", "start_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_assignment_rules_position",
                schema: "sales",
                table: "assignment_rules",
                column: "position",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_assignment_rules_territory_id",
                schema: "sales",
                table: "assignment_rules",
                column: "territory_id");

            migrationBuilder.CreateIndex(
                name: "ix_contracts_customer_id_created_at_id",
                schema: "sales",
                table: "contracts",
                columns: new[] { "customer_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_contracts_number",
                schema: "sales",
                table: "contracts",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_contracts_opportunity_id",
                schema: "sales",
                table: "contracts",
                column: "opportunity_id");

            migrationBuilder.CreateIndex(
                name: "ix_contracts_owner_id_created_at_id",
                schema: "sales",
                table: "contracts",
                columns: new[] { "owner_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_contracts_renewal_of_id",
                schema: "sales",
                table: "contracts",
                column: "renewal_of_id",
                unique: true,
                filter: "renewal_of_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_contracts_status_end_date",
                schema: "sales",
                table: "contracts",
                columns: new[] { "status", "end_date" });

            migrationBuilder.CreateIndex(
                name: "ix_expense_decisions_report_id_decided_at",
                schema: "sales",
                table: "expense_decisions",
                columns: new[] { "report_id", "decided_at" });

            migrationBuilder.CreateIndex(
                name: "ix_expense_lines_activity_id",
                schema: "sales",
                table: "expense_lines",
                column: "activity_id");

            migrationBuilder.CreateIndex(
                name: "ix_expense_lines_opportunity_id",
                schema: "sales",
                table: "expense_lines",
                column: "opportunity_id");

            migrationBuilder.CreateIndex(
                name: "ix_expense_lines_report_id",
                schema: "sales",
                table: "expense_lines",
                column: "report_id");

            migrationBuilder.CreateIndex(
                name: "ix_expense_reports_owner_id_created_at_id",
                schema: "sales",
                table: "expense_reports",
                columns: new[] { "owner_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_expense_reports_status_created_at_id",
                schema: "sales",
                table: "expense_reports",
                columns: new[] { "status", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_lead_follow_ups_lead_id_occurred_at_id",
                schema: "sales",
                table: "lead_follow_ups",
                columns: new[] { "lead_id", "occurred_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_leads_created_at_id",
                schema: "sales",
                table: "leads",
                columns: new[] { "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_leads_owner_id_created_at_id",
                schema: "sales",
                table: "leads",
                columns: new[] { "owner_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_leads_owner_id_status",
                schema: "sales",
                table: "leads",
                columns: new[] { "owner_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_leads_partner_id",
                schema: "sales",
                table: "leads",
                column: "partner_id");

            migrationBuilder.CreateIndex(
                name: "ix_leads_search_text_trgm",
                schema: "sales",
                table: "leads",
                column: "search_text")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_leads_status_created_at_id",
                schema: "sales",
                table: "leads",
                columns: new[] { "status", "created_at", "id" });

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
                name: "ix_payment_allocations_instalment_id",
                schema: "sales",
                table: "payment_allocations",
                column: "instalment_id");

            migrationBuilder.CreateIndex(
                name: "ix_payment_instalments_contract_id_sequence",
                schema: "sales",
                table: "payment_instalments",
                columns: new[] { "contract_id", "sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_payment_instalments_due_date_id",
                schema: "sales",
                table: "payment_instalments",
                columns: new[] { "due_date", "id" },
                filter: "paid_amount < amount");

            migrationBuilder.CreateIndex(
                name: "ix_payment_receipts_contract_id_received_date",
                schema: "sales",
                table: "payment_receipts",
                columns: new[] { "contract_id", "received_date" });

            migrationBuilder.CreateIndex(
                name: "ix_payment_receipts_instalment_id",
                schema: "sales",
                table: "payment_receipts",
                column: "instalment_id");

            migrationBuilder.CreateIndex(
                name: "ix_payment_receipts_owner_id_received_date",
                schema: "sales",
                table: "payment_receipts",
                columns: new[] { "owner_id", "received_date" });

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

            migrationBuilder.CreateIndex(
                name: "ix_territories_name",
                schema: "sales",
                table: "territories",
                column: "name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "assignment_rules",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "expense_decisions",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "expense_lines",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "lead_follow_ups",
                schema: "sales");

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
                name: "payment_allocations",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "price_book_entries",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "territories",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "activities",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "expense_reports",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "leads",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "payment_receipts",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "price_books",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "products",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "payment_instalments",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "contracts",
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

            migrationBuilder.DropSequence(
                name: "contract_number_seq",
                schema: "sales");
        }
    }
}
