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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "activities",
                schema: "sales");
        }
    }
}
