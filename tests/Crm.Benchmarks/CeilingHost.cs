using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Crm.Benchmarks;

/// <summary>
/// The ceilings: a bare minimal API in this process, on its own Kestrel at 127.0.0.1, with one JSON endpoint
/// that does nothing and endpoints that run the API's SQL through raw Npgsql and write the rows as JSON. Both
/// sides of every scenario therefore pay HTTP, JSON and the same database. The sales report ceilings are in
/// <see cref="SalesCeilings"/>.
/// </summary>
internal sealed class CeilingHost : IAsyncDisposable
{
    // The columns the API's customer response is projected from (everything but the derived search columns).
    public const string Columns =
        "c.id, c.code, c.kind, c.external_id, c.name, c.short_name, c.registration_number, c.industry, c.source_channel, " +
        "c.province, c.city, c.district, c.address, c.phones, c.emails, c.website, c.tags, c.tier, c.relationship_type, " +
        "c.lifecycle_stage, c.status, c.owner_id, c.team_id, c.is_key_account, c.is_potential_key_account, c.credit_limit, " +
        "c.credit_rating, c.outstanding_balance, c.currency, c.created_at, c.updated_at, c.archived_at, c.region_code, c.custom_fields, c.xmin";

    // Mirrors of the SQL the API runs (ListCustomers, KeysetPagination): archived rows excluded, newest first,
    // limit + 1 rows to know whether there is a next page, and the keyset seek as EF writes it.
    public const string ByIdSql = $"SELECT {Columns} FROM customers.customers c WHERE c.id = @id";

    public const string FirstPageSql =
        $"SELECT {Columns} FROM customers.customers c WHERE c.status <> 'Archived' AND c.province = @province ORDER BY c.created_at DESC, c.id DESC LIMIT @take";

    public const string DeepPageSql =
        $"SELECT {Columns} FROM customers.customers c WHERE c.status <> 'Archived' AND c.province = @province " +
        "AND c.created_at <= @at AND (c.created_at < @at OR (c.created_at = @at AND c.id < @id)) ORDER BY c.created_at DESC, c.id DESC LIMIT @take";

    public const string BigramSql =
        $"SELECT {Columns} FROM customers.customers c WHERE c.name_bigrams @> ARRAY[@term]::text[] AND c.status <> 'Archived' ORDER BY c.created_at DESC, c.id DESC LIMIT @take";

    public const string TrigramSql =
        $"SELECT {Columns} FROM customers.customers c WHERE (c.search_text LIKE @pattern ESCAPE '\\' OR c.code ILIKE @pattern ESCAPE '\\') AND c.status <> 'Archived' ORDER BY c.created_at DESC, c.id DESC LIMIT @take";

    private readonly WebApplication _app;
    private readonly BarePayload _bare;

    private CeilingHost(WebApplication app, Uri baseAddress, BarePayload bare)
    {
        _app = app;
        BaseAddress = baseAddress;
        _bare = bare;
    }

    public Uri BaseAddress { get; }

    /// <summary>What <c>/bare</c> answers: the bytes of the API response it is the ceiling of, so both sides write the same JSON.</summary>
    public void ServeAsBare(byte[] json) => _bare.Json = json;

    public static async Task<CeilingHost> StartAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();

        var bare = new BarePayload();
        app.MapGet("/bare", () => Results.Bytes(bare.Json, "application/json; charset=utf-8"));
        app.MapGet("/raw/customers/{id:guid}", (Guid id, HttpContext http, CancellationToken token) =>
            WriteRowsAsync(db, ByIdSql, http, single: true, token, ("id", id)));
        app.MapGet("/raw/customers", (string province, int take, DateTimeOffset? at, Guid? id, HttpContext http, CancellationToken token) =>
            at is { } seek && id is { } last
                ? WriteRowsAsync(db, DeepPageSql, http, single: false, token, ("province", province), ("take", take), ("at", seek), ("id", last))
                : WriteRowsAsync(db, FirstPageSql, http, single: false, token, ("province", province), ("take", take)));
        app.MapGet("/raw/search", (string term, int take, HttpContext http, CancellationToken token) =>
            term.EnumerateRunes().Count() < 3
                ? WriteRowsAsync(db, BigramSql, http, single: false, token, ("term", term), ("take", take))
                : WriteRowsAsync(db, TrigramSql, http, single: false, token, ("pattern", $"%{term}%"), ("take", take)));
        SalesCeilings.Map(app, db);

        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CeilingHost(app, new Uri(address), bare);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal static async Task WriteRowsAsync(NpgsqlDataSource db, string sql, HttpContext http, bool single, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        http.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(http.Response.Body);
        if (!single)
        {
            json.WriteStartObject();
            json.WriteStartArray("items");
        }

        var found = false;
        while (await reader.ReadAsync(ct))
        {
            found = true;
            json.WriteStartObject();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                json.WritePropertyName(reader.GetName(i));
                WriteValue(json, reader.IsDBNull(i) ? null : reader.GetValue(i));
            }

            json.WriteEndObject();
        }

        if (single && !found)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            json.WriteNullValue();
        }

        if (!single)
        {
            json.WriteEndArray();
            json.WriteNull("nextCursor");
            json.WriteEndObject();
        }

        await json.FlushAsync(ct);
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case string text: json.WriteStringValue(text); break;
            case Guid guid: json.WriteStringValue(guid); break;
            case bool flag: json.WriteBooleanValue(flag); break;
            case decimal number: json.WriteNumberValue(number); break;
            case uint number: json.WriteNumberValue(number); break;
            case int number: json.WriteNumberValue(number); break;
            case long number: json.WriteNumberValue(number); break;
            case DateTime time: json.WriteStringValue(new DateTimeOffset(time)); break;
            case DateTimeOffset time: json.WriteStringValue(time); break;
            case string[] items:
                json.WriteStartArray();
                foreach (var item in items)
                {
                    json.WriteStringValue(item);
                }

                json.WriteEndArray();
                break;
            case Guid[] ids:
                json.WriteStartArray();
                foreach (var item in ids)
                {
                    json.WriteStringValue(item);
                }

                json.WriteEndArray();
                break;
            default: json.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }

    private sealed class BarePayload
    {
        public byte[] Json { get; set; } = "{}"u8.ToArray();
    }
}
