using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class SalesOpportunitiesQuotesCommissionsQuotas : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "quote_number_seq",
                schema: "sales");

            migrationBuilder.AddColumn<DateOnly>(
                name: "reversed_date",
                schema: "sales",
                table: "payment_receipts",
                type: "date",
                nullable: true);

            // Receipts reversed before the column existed are dated by the UTC day of their reversal, as new ones are.
            migrationBuilder.Sql("UPDATE sales.payment_receipts SET reversed_date = (reversed_at AT TIME ZONE 'UTC')::date WHERE reversed_at IS NOT NULL;");

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

            migrationBuilder.AddColumn<string>(
                name: "product_category",
                schema: "sales",
                table: "contracts",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "terminated_date",
                schema: "sales",
                table: "contracts",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "termination_reason",
                schema: "sales",
                table: "contracts",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "commission_rules",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    rep_id = table.Column<Guid>(type: "uuid", nullable: true),
                    product_category = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    rate_percent = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: false),
                    valid_from = table.Column<DateOnly>(type: "date", nullable: true),
                    valid_to = table.Column<DateOnly>(type: "date", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_commission_rules", x => x.id);
                    table.CheckConstraint("ck_commission_rules_rate", "rate_percent >= 0 AND rate_percent <= 100");
                    table.CheckConstraint("ck_commission_rules_validity", "valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from");
                });

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
                name: "quote_settings",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    discount_approval_threshold_percent = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quote_settings", x => x.id);
                    table.CheckConstraint("ck_quote_settings_threshold", "discount_approval_threshold_percent BETWEEN 0 AND 100");
                });

            migrationBuilder.CreateTable(
                name: "quotes",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    number = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    revision = table.Column<int>(type: "integer", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: true),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    valid_until = table.Column<DateOnly>(type: "date", nullable: false),
                    priced_on = table.Column<DateOnly>(type: "date", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    notes = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    subtotal = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    discount_total = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    tax_total = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    total = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    max_discount_percent = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: false),
                    approval_threshold_percent = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: false),
                    revision_of_id = table.Column<Guid>(type: "uuid", nullable: true),
                    superseded_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    answered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    rejection_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quotes", x => x.id);
                    table.CheckConstraint("ck_quotes_revision", "revision >= 1");
                    table.CheckConstraint("ck_quotes_total", "total >= 0");
                    table.ForeignKey(
                        name: "fk_quotes_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalSchema: "sales",
                        principalTable: "opportunities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_quotes_quotes_revision_of_id",
                        column: x => x.revision_of_id,
                        principalSchema: "sales",
                        principalTable: "quotes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "sales_quotas",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    subject_kind = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    subject_id = table.Column<Guid>(type: "uuid", nullable: false),
                    period = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    period_kind = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    period_start = table.Column<DateOnly>(type: "date", nullable: false),
                    period_end = table.Column<DateOnly>(type: "date", nullable: false),
                    amount_target = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    new_customers_target = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_quotas", x => x.id);
                    table.CheckConstraint("ck_sales_quotas_amount_target", "amount_target >= 0");
                    table.CheckConstraint("ck_sales_quotas_new_customers_target", "new_customers_target >= 0");
                    table.CheckConstraint("ck_sales_quotas_period", "period_end > period_start");
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

            migrationBuilder.CreateTable(
                name: "quote_approvals",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    quote_id = table.Column<Guid>(type: "uuid", nullable: false),
                    quote_number = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    quote_revision = table.Column<int>(type: "integer", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    max_discount_percent = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: false),
                    threshold_percent = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: false),
                    quote_total = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    status = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    requested_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    decided_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    comment = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quote_approvals", x => x.id);
                    table.ForeignKey(
                        name: "fk_quote_approvals_quotes_quote_id",
                        column: x => x.quote_id,
                        principalSchema: "sales",
                        principalTable: "quotes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "quote_lines",
                schema: "sales",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    quote_id = table.Column<Guid>(type: "uuid", nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    product_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sku = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    product_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    unit = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    quantity = table.Column<decimal>(type: "numeric(18,3)", precision: 18, scale: 3, nullable: false),
                    reference_unit_price = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    price_source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    price_book_id = table.Column<Guid>(type: "uuid", nullable: true),
                    unit_price = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    discount_percent = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: false),
                    tax_rate_percent = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: false),
                    effective_discount_percent = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: false),
                    gross_amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    discount_amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    net_amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    tax_amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    line_total = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quote_lines", x => x.id);
                    table.CheckConstraint("ck_quote_lines_discount", "discount_percent BETWEEN 0 AND 100");
                    table.CheckConstraint("ck_quote_lines_quantity", "quantity > 0");
                    table.CheckConstraint("ck_quote_lines_tax", "tax_rate_percent BETWEEN 0 AND 100");
                    table.ForeignKey(
                        name: "fk_quote_lines_products_product_id",
                        column: x => x.product_id,
                        principalSchema: "sales",
                        principalTable: "products",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_quote_lines_quotes_quote_id",
                        column: x => x.quote_id,
                        principalSchema: "sales",
                        principalTable: "quotes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_payment_receipts_received_date",
                schema: "sales",
                table: "payment_receipts",
                column: "received_date");

            migrationBuilder.CreateIndex(
                name: "ix_payment_receipts_reversed_date_owner_id",
                schema: "sales",
                table: "payment_receipts",
                columns: new[] { "reversed_date", "owner_id" },
                filter: "reversed_date IS NOT NULL");

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
                name: "ix_opportunities_open_expected_close",
                schema: "sales",
                table: "opportunities",
                columns: new[] { "expected_close_date", "owner_id" },
                filter: "status = 'Open'");

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_won_closed_at",
                schema: "sales",
                table: "opportunities",
                columns: new[] { "closed_at", "owner_id" },
                filter: "status = 'Won'");

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_won_customer",
                schema: "sales",
                table: "opportunities",
                columns: new[] { "customer_id", "closed_at" },
                filter: "status = 'Won'");

            migrationBuilder.CreateIndex(
                name: "ix_leads_emails",
                schema: "sales",
                table: "leads",
                column: "emails")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:StorageParameter:fastupdate", false);

            migrationBuilder.CreateIndex(
                name: "ix_leads_phones",
                schema: "sales",
                table: "leads",
                column: "phones")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:StorageParameter:fastupdate", false);

            migrationBuilder.CreateIndex(
                name: "ix_commission_rules_rep_id_product_category_valid_from",
                schema: "sales",
                table: "commission_rules",
                columns: new[] { "rep_id", "product_category", "valid_from" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

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

            migrationBuilder.CreateIndex(
                name: "ix_quote_approvals_one_pending",
                schema: "sales",
                table: "quote_approvals",
                column: "quote_id",
                unique: true,
                filter: "status = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "ix_quote_approvals_quote_id_requested_at",
                schema: "sales",
                table: "quote_approvals",
                columns: new[] { "quote_id", "requested_at" });

            migrationBuilder.CreateIndex(
                name: "ix_quote_approvals_status_requested_at_id",
                schema: "sales",
                table: "quote_approvals",
                columns: new[] { "status", "requested_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_quote_lines_product_id",
                schema: "sales",
                table: "quote_lines",
                column: "product_id");

            migrationBuilder.CreateIndex(
                name: "ix_quote_lines_quote_id_position",
                schema: "sales",
                table: "quote_lines",
                columns: new[] { "quote_id", "position" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_quotes_customer_id_created_at_id",
                schema: "sales",
                table: "quotes",
                columns: new[] { "customer_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_quotes_number_revision",
                schema: "sales",
                table: "quotes",
                columns: new[] { "number", "revision" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_quotes_opportunity_id",
                schema: "sales",
                table: "quotes",
                column: "opportunity_id");

            migrationBuilder.CreateIndex(
                name: "ix_quotes_owner_id_created_at_id",
                schema: "sales",
                table: "quotes",
                columns: new[] { "owner_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_quotes_revision_of_id",
                schema: "sales",
                table: "quotes",
                column: "revision_of_id",
                unique: true,
                filter: "revision_of_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_sales_quotas_period_start_id",
                schema: "sales",
                table: "sales_quotas",
                columns: new[] { "period_start", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_sales_quotas_subject_kind_subject_id_period",
                schema: "sales",
                table: "sales_quotas",
                columns: new[] { "subject_kind", "subject_id", "period" },
                unique: true);

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
                name: "commission_rules",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "opportunity_competitors",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "opportunity_lines",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "quote_approvals",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "quote_lines",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "quote_settings",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "sales_quotas",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "competitors",
                schema: "sales");

            migrationBuilder.DropTable(
                name: "quotes",
                schema: "sales");

            migrationBuilder.DropIndex(
                name: "ix_payment_receipts_received_date",
                schema: "sales",
                table: "payment_receipts");

            migrationBuilder.DropIndex(
                name: "ix_payment_receipts_reversed_date_owner_id",
                schema: "sales",
                table: "payment_receipts");

            migrationBuilder.DropIndex(
                name: "ix_opportunities_lost_to_competitor_id",
                schema: "sales",
                table: "opportunities");

            migrationBuilder.DropIndex(
                name: "ix_opportunities_name_trgm",
                schema: "sales",
                table: "opportunities");

            migrationBuilder.DropIndex(
                name: "ix_opportunities_open_expected_close",
                schema: "sales",
                table: "opportunities");

            migrationBuilder.DropIndex(
                name: "ix_opportunities_won_closed_at",
                schema: "sales",
                table: "opportunities");

            migrationBuilder.DropIndex(
                name: "ix_opportunities_won_customer",
                schema: "sales",
                table: "opportunities");

            migrationBuilder.DropIndex(
                name: "ix_leads_emails",
                schema: "sales",
                table: "leads");

            migrationBuilder.DropIndex(
                name: "ix_leads_phones",
                schema: "sales",
                table: "leads");

            migrationBuilder.DropColumn(
                name: "reversed_date",
                schema: "sales",
                table: "payment_receipts");

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

            migrationBuilder.DropColumn(
                name: "product_category",
                schema: "sales",
                table: "contracts");

            migrationBuilder.DropColumn(
                name: "terminated_date",
                schema: "sales",
                table: "contracts");

            migrationBuilder.DropColumn(
                name: "termination_reason",
                schema: "sales",
                table: "contracts");

            migrationBuilder.DropSequence(
                name: "quote_number_seq",
                schema: "sales");
        }
    }
}
