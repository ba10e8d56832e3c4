using System.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.CustomFields;
using Npgsql;

namespace Crm.Modules.Customers.Features.Customers;

/// <summary>
/// <c>GET /api/v1/customers/{id}</c>, the hottest read of the archive, as one hand-written primary-key query on a
/// connection of the shared data source, the pool every DbContext uses (docs/adr/0045-customer-by-id-hot-path.md): exactly
/// the columns of <see cref="CustomerResponse"/> plus the merge pointer and the row version, read positionally into the
/// response. Renting and resetting a pooled context, EF's query pipeline, the entity's full shape (search and duplicate-key
/// columns included) and the projection step together cost more than the query itself.
/// <see cref="CustomerProjection.ToResponse"/> stays the one definition of the representation: a test compares both.
/// </summary>
internal static class CustomerByIdRead
{
    /// <summary>The row, visibility not yet checked: the caller applies <see cref="Crm.Modules.Identity.Contracts.AccessScope.CanSee"/>.</summary>
    public sealed record Row(CustomerResponse Customer, Guid? MergedIntoId, uint Version)
    {
        public VersionedCustomer Versioned => new(Customer, Version);
    }

    // Ordinals below follow this list, which follows CustomerResponse's constructor.
    internal const string Sql =
        "SELECT c.id, c.code, c.kind, c.external_id, c.name, c.short_name, c.registration_number, c.industry, c.source_channel, " +
        "c.province, c.city, c.district, c.address, c.phones, c.emails, c.website, c.tags, c.tier, c.relationship_type, " +
        "c.lifecycle_stage, c.status, c.owner_id, c.team_id, c.is_key_account, c.is_potential_key_account, c.credit_limit, " +
        "c.credit_rating, c.outstanding_balance, c.currency, c.created_at, c.updated_at, c.archived_at, " +
        "c.last_follow_up_at, c.next_follow_up_at, c.region_code, c.custom_fields, " +
        "c.blacklist_reason, c.blacklisted_at, c.churned_at, c.churn_reason, c.churn_competitor, c.churn_stage, c.last_won_at, " +
        "c.merged_into_id, c.xmin " +
        "FROM customers.customers c WHERE c.id = $1";

    public static async Task<Row?> ReadAsync(NpgsqlDataSource database, Guid id, CancellationToken ct)
    {
        await using var command = database.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private static Row Read(NpgsqlDataReader r)
    {
        var customer = new CustomerResponse(
            r.GetGuid(0),
            r.GetString(1),
            Enum.Parse<CustomerKind>(r.GetString(2)),
            Text(r, 3),
            r.GetString(4),
            Text(r, 5),
            Text(r, 6),
            Text(r, 7),
            Text(r, 8),
            Text(r, 9),
            Text(r, 10),
            Text(r, 11),
            Text(r, 12),
            r.GetFieldValue<string[]>(13),
            r.GetFieldValue<string[]>(14),
            Text(r, 15),
            r.GetFieldValue<string[]>(16),
            Text(r, 17),
            Enum.Parse<RelationshipType>(r.GetString(18)),
            Enum.Parse<LifecycleStage>(r.GetString(19)),
            Enum.Parse<CustomerStatus>(r.GetString(20)),
            Value<Guid>(r, 21),
            Value<Guid>(r, 22),
            r.GetBoolean(23),
            r.GetBoolean(24),
            Value<decimal>(r, 25),
            Text(r, 26),
            r.GetDecimal(27),
            r.GetString(28),
            r.GetFieldValue<DateTimeOffset>(29),
            r.GetFieldValue<DateTimeOffset>(30),
            Value<DateTimeOffset>(r, 31),
            Value<DateTimeOffset>(r, 32),
            Value<DateTimeOffset>(r, 33),
            Text(r, 34),
            CustomFieldJson.Read(r.GetString(35)),
            Text(r, 36),
            Value<DateTimeOffset>(r, 37),
            Value<DateTimeOffset>(r, 38),
            Text(r, 39),
            Text(r, 40),
            r.IsDBNull(41) ? null : Enum.Parse<LifecycleStage>(r.GetString(41)),
            Value<DateTimeOffset>(r, 42));
        return new Row(customer, Value<Guid>(r, 43), r.GetFieldValue<uint>(44));
    }

    private static string? Text(NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static T? Value<T>(NpgsqlDataReader r, int ordinal)
        where T : struct => r.IsDBNull(ordinal) ? null : r.GetFieldValue<T>(ordinal);
}
