using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class SalesCash : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "contract_number_seq",
                schema: "sales",
                startValue: 10000001L);

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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "payment_allocations",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "payment_receipts",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "payment_instalments",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "contracts",
                schema: "sales");

            migrationBuilder.DropSequence(
                name: "contract_number_seq",
                schema: "sales");
        }
    }
}
