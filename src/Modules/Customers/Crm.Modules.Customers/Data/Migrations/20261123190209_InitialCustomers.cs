using System;
using System.Collections.Generic;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Crm.Modules.Customers.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialCustomers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "customers");

            migrationBuilder.CreateSequence(
                name: "customer_code_seq",
                schema: "customers",
                startValue: 10000001L);

            migrationBuilder.CreateTable(
                name: "custom_field_definitions",
                schema: "customers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    entity = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    key = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    type = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    label = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    is_required = table.Column<bool>(type: "boolean", nullable: false),
                    options = table.Column<string>(type: "jsonb", nullable: false),
                    max_length = table.Column<int>(type: "integer", nullable: true),
                    min = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: true),
                    max = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: true),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    display_order = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_custom_field_definitions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "customers",
                schema: "customers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    code = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false, defaultValueSql: "'C' || nextval('customers.customer_code_seq')"),
                    external_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    short_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    registration_number = table.Column<string>(type: "character varying(18)", maxLength: 18, nullable: true),
                    industry = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    source_channel = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    province = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    city = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    district = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    address = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    region_code = table.Column<string>(type: "character varying(6)", maxLength: 6, nullable: true),
                    phones = table.Column<List<string>>(type: "text[]", nullable: false),
                    emails = table.Column<List<string>>(type: "text[]", nullable: false),
                    website = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    tags = table.Column<List<string>>(type: "text[]", nullable: false),
                    tier = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    relationship_type = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    lifecycle_stage = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    team_id = table.Column<Guid>(type: "uuid", nullable: true),
                    is_key_account = table.Column<bool>(type: "boolean", nullable: false),
                    is_potential_key_account = table.Column<bool>(type: "boolean", nullable: false),
                    credit_limit = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: true),
                    credit_rating = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: true),
                    outstanding_balance = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    archived_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    blacklist_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    blacklisted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    churned_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    churn_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    churn_competitor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    churn_stage = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    last_follow_up_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    next_follow_up_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    merged_into_id = table.Column<Guid>(type: "uuid", nullable: true),
                    merged_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false),
                    custom_fields = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'{}'::jsonb"),
                    name_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, defaultValue: ""),
                    phone_keys = table.Column<List<string>>(type: "text[]", nullable: false, defaultValueSql: "'{}'::text[]"),
                    search_text = table.Column<string>(type: "text", nullable: false),
                    name_bigrams = table.Column<List<string>>(type: "text[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_deliveries",
                schema: "customers",
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
                schema: "customers",
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

            migrationBuilder.CreateTable(
                name: "pool_rules",
                schema: "customers",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    tier = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    max_owned_per_rep = table.Column<int>(type: "integer", nullable: true),
                    reclaim_after_days_without_follow_up = table.Column<int>(type: "integer", nullable: true),
                    reclaim_after_days_without_won_deal = table.Column<int>(type: "integer", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pool_rules", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "contacts",
                schema: "customers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    title = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    decision_role = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    phones = table.Column<List<string>>(type: "text[]", nullable: false),
                    emails = table.Column<List<string>>(type: "text[]", nullable: false),
                    we_chat_id = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    birthday = table.Column<DateOnly>(type: "date", nullable: true),
                    preferred_channel = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    window_days = table.Column<int[]>(type: "integer[]", nullable: false),
                    window_from = table.Column<TimeOnly>(type: "time without time zone", nullable: true),
                    window_to = table.Column<TimeOnly>(type: "time without time zone", nullable: true),
                    window_time_zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    is_archived = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    archived_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false),
                    custom_fields = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'{}'::jsonb")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_contacts", x => x.id);
                    table.ForeignKey(
                        name: "fk_contacts_customers_customer_id",
                        column: x => x.customer_id,
                        principalSchema: "customers",
                        principalTable: "customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

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
                name: "customer_owner_history",
                schema: "customers",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    from_owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    to_owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    actor_id = table.Column<Guid>(type: "uuid", nullable: true),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    transfer_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_owner_history", x => x.id);
                    table.ForeignKey(
                        name: "fk_customer_owner_history_customers_customer_id",
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

            migrationBuilder.CreateTable(
                name: "contact_consent_changes",
                schema: "customers",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    contact_id = table.Column<Guid>(type: "uuid", nullable: false),
                    channel = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    state = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    previous_state = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    source = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    actor_id = table.Column<Guid>(type: "uuid", nullable: true),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_contact_consent_changes", x => x.id);
                    table.ForeignKey(
                        name: "fk_contact_consent_changes_contacts_contact_id",
                        column: x => x.contact_id,
                        principalSchema: "customers",
                        principalTable: "contacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "follow_ups",
                schema: "customers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    contact_id = table.Column<Guid>(type: "uuid", nullable: true),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    content = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    next_follow_up_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    author_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_follow_ups", x => x.id);
                    table.ForeignKey(
                        name: "fk_follow_ups_contacts_contact_id",
                        column: x => x.contact_id,
                        principalSchema: "customers",
                        principalTable: "contacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_follow_ups_customers_customer_id",
                        column: x => x.customer_id,
                        principalSchema: "customers",
                        principalTable: "customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_contact_consent_changes_contact_id_channel_id",
                schema: "customers",
                table: "contact_consent_changes",
                columns: new[] { "contact_id", "channel", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_contacts_customer_id_created_at_id",
                schema: "customers",
                table: "contacts",
                columns: new[] { "customer_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_contacts_customer_id_name_id",
                schema: "customers",
                table: "contacts",
                columns: new[] { "customer_id", "name", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_custom_field_definitions_entity_key",
                schema: "customers",
                table: "custom_field_definitions",
                columns: new[] { "entity", "key" },
                unique: true);

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
                name: "ix_customer_owner_history_customer_id_id",
                schema: "customers",
                table: "customer_owner_history",
                columns: new[] { "customer_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_customer_owner_history_transfer_id",
                schema: "customers",
                table: "customer_owner_history",
                column: "transfer_id");

            migrationBuilder.CreateIndex(
                name: "ix_customers_code",
                schema: "customers",
                table: "customers",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_customers_code_trgm",
                schema: "customers",
                table: "customers",
                column: "code")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_created_at_id",
                schema: "customers",
                table: "customers",
                columns: new[] { "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_custom_fields",
                schema: "customers",
                table: "customers",
                column: "custom_fields")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "jsonb_path_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_emails",
                schema: "customers",
                table: "customers",
                column: "emails")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_customers_external_id",
                schema: "customers",
                table: "customers",
                column: "external_id",
                unique: true,
                filter: "external_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_customers_last_follow_up_at",
                schema: "customers",
                table: "customers",
                column: "last_follow_up_at");

            migrationBuilder.CreateIndex(
                name: "ix_customers_merged_into_id",
                schema: "customers",
                table: "customers",
                column: "merged_into_id",
                filter: "merged_into_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_customers_name_bigrams",
                schema: "customers",
                table: "customers",
                column: "name_bigrams")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_customers_name_id",
                schema: "customers",
                table: "customers",
                columns: new[] { "name", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_name_key",
                schema: "customers",
                table: "customers",
                column: "name_key");

            migrationBuilder.CreateIndex(
                name: "ix_customers_owner_id",
                schema: "customers",
                table: "customers",
                column: "owner_id");

            migrationBuilder.CreateIndex(
                name: "ix_customers_phone_keys",
                schema: "customers",
                table: "customers",
                column: "phone_keys")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_customers_region_code",
                schema: "customers",
                table: "customers",
                column: "region_code")
                .Annotation("Npgsql:IndexOperators", new[] { "varchar_pattern_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_registration_number",
                schema: "customers",
                table: "customers",
                column: "registration_number",
                unique: true,
                filter: "registration_number IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_customers_search_text_trgm",
                schema: "customers",
                table: "customers",
                column: "search_text")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_tags",
                schema: "customers",
                table: "customers",
                column: "tags")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_customers_team_id",
                schema: "customers",
                table: "customers",
                column: "team_id");

            migrationBuilder.CreateIndex(
                name: "ix_customers_updated_at_id",
                schema: "customers",
                table: "customers",
                columns: new[] { "updated_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_follow_ups_contact_id",
                schema: "customers",
                table: "follow_ups",
                column: "contact_id");

            migrationBuilder.CreateIndex(
                name: "ix_follow_ups_customer_id_occurred_at_id",
                schema: "customers",
                table: "follow_ups",
                columns: new[] { "customer_id", "occurred_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_pending",
                schema: "customers",
                table: "outbox_messages",
                columns: new[] { "next_attempt_at", "id" },
                filter: "processed_at IS NULL AND dead_lettered_at IS NULL");

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

            migrationBuilder.CreateIndex(
                name: "ix_pool_rules_tier",
                schema: "customers",
                table: "pool_rules",
                column: "tier",
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

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

            // Erasure rewrites undelivered events about a customer (ADR 0014): found by the customer id in the payload.
            migrationBuilder.Sql(
                "CREATE INDEX ix_outbox_messages_customer_id ON customers.outbox_messages ((payload ->> 'customerId')) WHERE payload ? 'customerId';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX customers.ix_outbox_messages_customer_id;");

            migrationBuilder.DropTable(
                name: "contact_consent_changes",
                schema: "customers");

            migrationBuilder.DropTable(
                name: "custom_field_definitions",
                schema: "customers");

            migrationBuilder.DropTable(
                name: "customer_history",
                schema: "customers");

            migrationBuilder.DropTable(
                name: "customer_owner_history",
                schema: "customers");

            migrationBuilder.DropTable(
                name: "follow_ups",
                schema: "customers");

            migrationBuilder.DropTable(
                name: "outbox_deliveries",
                schema: "customers");

            migrationBuilder.DropTable(
                name: "outbox_messages",
                schema: "customers");

            migrationBuilder.DropTable(
                name: "personal_data_erasures",
                schema: "customers");

            migrationBuilder.DropTable(
                name: "pool_rules",
                schema: "customers");

            migrationBuilder.DropTable(
                name: "timeline_entries",
                schema: "customers");

            migrationBuilder.DropTable(
                name: "contacts",
                schema: "customers");

            migrationBuilder.DropTable(
                name: "customers",
                schema: "customers");

            migrationBuilder.DropSequence(
                name: "customer_code_seq",
                schema: "customers");
        }
    }
}
