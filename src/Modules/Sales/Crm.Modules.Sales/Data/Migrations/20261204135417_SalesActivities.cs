using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class SalesActivities : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "expense_decisions",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "expense_lines",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "activities",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "expense_reports",
                schema: "sales");
        }
    }
}
