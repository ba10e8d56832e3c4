using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Customers.Data.Migrations
{
    /// <inheritdoc />
    public partial class PersonalDataErasures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "personal_data_erasures",
                schema: "customers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    subject_type = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    subject_id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    actor_id = table.Column<Guid>(type: "uuid", nullable: true),
                    erased_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    contact_ids = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    follow_ups_scrubbed = table.Column<int>(type: "integer", nullable: false),
                    audit_entries_scrubbed = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_personal_data_erasures", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_personal_data_erasures_customer_id",
                schema: "customers",
                table: "personal_data_erasures",
                column: "customer_id");

            migrationBuilder.CreateIndex(
                name: "ix_personal_data_erasures_subject_type_subject_id",
                schema: "customers",
                table: "personal_data_erasures",
                columns: new[] { "subject_type", "subject_id" },
                unique: true);

            // Erase rewrites the copies of a customer's name in its own outbox events; this keeps that a seek.
            migrationBuilder.Sql(
                "CREATE INDEX ix_outbox_messages_customer_id ON customers.outbox_messages ((payload ->> 'customerId')) WHERE payload ? 'customerId';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX customers.ix_outbox_messages_customer_id;");

            migrationBuilder.DropTable(
                name: "personal_data_erasures",
                schema: "customers");
        }
    }
}
