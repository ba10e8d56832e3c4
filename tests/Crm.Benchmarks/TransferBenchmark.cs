using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Npgsql;

namespace Crm.Benchmarks;

/// <summary>
/// Scenario 6: milliseconds of a bulk owner transfer through the API against hand-written SQL making the same changes;
/// <see cref="TimeRatio"/> is the median of the per-round API ÷ SQL times (1 = as fast as the SQL, lower is better).
/// </summary>
internal sealed record TransferResult(int Customers, double ApiMs, double CeilingMs, double TimeRatio, IReadOnlyList<double> RoundRatios);

/// <summary>
/// Moves <see cref="BenchmarkOptions.TransferCustomers"/> customers from one rep to another with
/// <c>POST /api/v1/customers/transfer</c> (by filter: every customer of the leaving rep), and as many other customers between
/// two other reps with one hand-written statement that makes the same changes (customers' owner and team, one owner-history row
/// each, their contacts' owner), alternating which goes first; the next round moves both sets back. The API also writes the
/// audit summary and the integration event, which the ceiling does not: that is the price of the API being measured.
/// </summary>
internal static class TransferBenchmark
{
    private const string CeilingSql =
        """
        WITH old AS (
            SELECT id, owner_id FROM customers.customers
            WHERE owner_id = @from AND status <> 'Archived' AND status <> 'Merged'
            FOR UPDATE),
        moved AS (
            UPDATE customers.customers c SET owner_id = @to, team_id = @team, updated_at = now()
            FROM old WHERE c.id = old.id
            RETURNING c.id, old.owner_id AS from_owner_id),
        history AS (
            INSERT INTO customers.customer_owner_history (customer_id, from_owner_id, to_owner_id, reason, actor_id, at, transfer_id)
            SELECT id, from_owner_id, @to, 'benchmark', NULL, now(), @transfer FROM moved)
        UPDATE customers.contacts SET owner_id = @to WHERE customer_id IN (SELECT id FROM moved)
        """;

    public static async Task<TransferResult> RunAsync(NpgsqlDataSource db, HttpClient http, Uri api, string token, BenchmarkOptions options, TextWriter log, CancellationToken ct)
    {
        var reps = await RepsAsync(db, ct);
        var (apiFrom, apiTo, rawFrom, rawTo) = (reps[0], reps[1], reps[2], reps[3]);
        var size = Math.Min(options.TransferCustomers, options.Customers / 4);
        await ClearBooksAsync(db, reps.Select(r => r.Id).ToArray(), ct);
        await GiveAsync(db, apiFrom.Id, apiFrom.Team, size, offset: 0, ct);
        await GiveAsync(db, rawFrom.Id, rawFrom.Team, size, offset: size, ct);

        var apiTimes = new List<double>();
        var rawTimes = new List<double>();
        var ratios = new List<double>();
        for (var round = 1; round <= options.TransferRounds; round++)
        {
            double apiMs, rawMs;
            if (round % 2 == 1)
            {
                apiMs = await ViaApiAsync(http, api, token, apiFrom.Id, apiTo.Id, size, ct);
                rawMs = await ViaSqlAsync(db, rawFrom.Id, rawTo, ct);
            }
            else
            {
                rawMs = await ViaSqlAsync(db, rawFrom.Id, rawTo, ct);
                apiMs = await ViaApiAsync(http, api, token, apiFrom.Id, apiTo.Id, size, ct);
            }

            apiTimes.Add(apiMs);
            rawTimes.Add(rawMs);
            ratios.Add(apiMs / rawMs);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}/{options.TransferRounds} transfer           api {apiMs,8:F0} ms | SQL {rawMs,8:F0} ms"));
            (apiFrom, apiTo) = (apiTo, apiFrom);
            (rawFrom, rawTo) = (rawTo, rawFrom);
        }

        return new TransferResult(size, Stats.Median(apiTimes), Stats.Median(rawTimes), Stats.Median(ratios), ratios);
    }

    private static async Task<double> ViaApiAsync(HttpClient http, Uri api, string token, Guid from, Guid to, int expected, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "/api/v1/customers/transfer"))
        {
            Content = JsonContent.Create(new { filter = new { ownerId = from }, newOwnerId = to, reason = "benchmark" }),
        };
        request.Headers.Authorization = new("Bearer", token);
        var watch = Stopwatch.StartNew();
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        watch.Stop();
        if (!response.IsSuccessStatusCode || !body.Contains(string.Create(CultureInfo.InvariantCulture, $"\"transferred\":{expected},"), StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The bulk transfer did not move {expected} customers: {(int)response.StatusCode} {body}");
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    private static async Task<double> ViaSqlAsync(NpgsqlDataSource db, Guid from, (Guid Id, Guid Team) to, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await using var command = db.CreateCommand(CeilingSql);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to.Id);
        command.Parameters.AddWithValue("team", to.Team);
        command.Parameters.AddWithValue("transfer", Guid.CreateVersion7());
        await command.ExecuteNonQueryAsync(ct);
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>Four generated reps (the admin is not one), in a fixed order.</summary>
    private static async Task<List<(Guid Id, Guid Team)>> RepsAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        var reps = new List<(Guid Id, Guid Team)>();
        await using var command = db.CreateCommand(
            "SELECT id, team_id FROM identity.users WHERE active AND team_id IS NOT NULL AND email <> @admin ORDER BY email LIMIT 4");
        command.Parameters.AddWithValue("admin", ApiHost.AdminEmail);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            reps.Add((reader.GetGuid(0), reader.GetGuid(1)));
        }

        return reps.Count == 4 ? reps : throw new InvalidOperationException("The transfer scenario needs four generated users.");
    }

    /// <summary>Set-up, not measured: the four reps' generated customers go to the admin, so both sides move exactly the same number.</summary>
    private static async Task ClearBooksAsync(NpgsqlDataSource db, Guid[] reps, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            "UPDATE customers.customers SET owner_id = (SELECT id FROM identity.users WHERE email = @admin) WHERE owner_id = ANY(@reps)");
        command.Parameters.AddWithValue("admin", ApiHost.AdminEmail);
        command.Parameters.AddWithValue("reps", reps);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Set-up, not measured: a deterministic slice of the customers becomes the leaving rep's book.</summary>
    private static async Task GiveAsync(NpgsqlDataSource db, Guid owner, Guid team, int count, int offset, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            """
            UPDATE customers.customers SET owner_id = @owner, team_id = @team
            WHERE id IN (SELECT id FROM customers.customers WHERE status = 'Active' ORDER BY md5(id::text) OFFSET @offset LIMIT @count)
            """);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("team", team);
        command.Parameters.AddWithValue("offset", offset);
        command.Parameters.AddWithValue("count", count);
        await command.ExecuteNonQueryAsync(ct);

        // VACUUM cannot share a transaction with the UPDATE; it leaves both sides the same clean table to start from.
        await using var vacuum = db.CreateCommand("VACUUM ANALYZE customers.customers");
        await vacuum.ExecuteNonQueryAsync(ct);
    }
}
