using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Modules.Customers.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Benchmarks;

/// <summary>
/// Scenario 5: rows per second of a CSV upsert through the API against a binary COPY of the same rows into the same table,
/// and how fast the outbox then delivered the import's events (one CustomerCreated per row, to the customer timeline).
/// </summary>
internal sealed record ImportResult(
    int Rows,
    double ApiRowsPerSecond,
    double CopyRowsPerSecond,
    double Ratio,
    IReadOnlyList<double> RoundRatios,
    double DispatchEventsPerSecond,
    double DispatchSecondsAfterImport,
    long FileBytes,
    long PeakHeapGrowthBytes);

/// <summary>
/// Imports <see cref="BenchmarkOptions.ImportRows"/> generated customers per round through <c>POST /api/v1/imports/customers</c>
/// (CSV, upsert on externalId: parsing, validation, duplicate checks, COPY staging, every production index in place), and
/// the same rows (other external ids) by one binary COPY into <c>customers.customers</c>, alternating which goes first.
/// The COPY side derives each row through the domain in its loop, as the rows must carry the same search and duplicate-key
/// columns (every indexed column the import writes). Each side starts on a vacuumed, checkpointed database.
/// The API host dispatches the outbox in the background as in production, during the import too; after each API import
/// the round waits until every event of the import is delivered (timed separately), so no round measures the previous
/// round's backlog.
/// </summary>
internal static class ImportBenchmark
{
    private static readonly string[] Cities = ["深圳", "广州", "杭州", "上海", "北京", "成都", "武汉", "南京"];
    private static readonly string[] Words = ["华信", "恒通", "科技", "云帆", "新锐", "海纳", "天成", "瑞达", "博远", "中联"];
    private static readonly string[] Trades = ["科技", "贸易", "物流", "电子", "医疗", "教育"];

    // signIn gives a fresh access token for each import: one round at the reference size outlasts a token.
    public static async Task<ImportResult> RunAsync(
        NpgsqlDataSource db, HttpClient http, Uri api, Func<CancellationToken, Task<string>> signIn, BenchmarkOptions options, TextWriter log, CancellationToken ct)
    {
        var owner = await AdminAsync(db, ct);
        var ratios = new List<double>();
        var apiRates = new List<double>();
        var copyRates = new List<double>();
        var dispatchRates = new List<double>();
        var dispatchWaits = new List<double>();
        long fileBytes = 0, peakHeapGrowth = 0;
        for (var round = 1; round <= options.ImportRounds; round++)
        {
            var file = Path.Combine(Path.GetTempPath(), $"crm-bench-import-{Guid.NewGuid():N}.csv");
            try
            {
                await WriteCsvAsync(file, $"B{round}A-", options, ct);
                fileBytes = new FileInfo(file).Length;
                double apiRate, copyRate;
                Dispatch dispatch;
                if (round % 2 == 1)
                {
                    await SettleAsync(db, ct);
                    (apiRate, dispatch) = await ImportAndDispatchAsync(db, http, api, await signIn(ct), file, options.ImportRows, ct);
                    await SettleAsync(db, ct);
                    copyRate = await CopyAsync(db, $"B{round}C-", owner, options, ct);
                }
                else
                {
                    await SettleAsync(db, ct);
                    copyRate = await CopyAsync(db, $"B{round}C-", owner, options, ct);
                    await SettleAsync(db, ct);
                    (apiRate, dispatch) = await ImportAndDispatchAsync(db, http, api, await signIn(ct), file, options.ImportRows, ct);
                }

                peakHeapGrowth = Math.Max(peakHeapGrowth, dispatch.PeakHeapGrowthBytes);
                dispatchRates.Add(dispatch.EventsPerSecond);
                dispatchWaits.Add(dispatch.SecondsAfterImport);

                apiRates.Add(apiRate);
                copyRates.Add(copyRate);
                ratios.Add(apiRate / copyRate);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}/{options.ImportRounds} import             api {apiRate,8:F0} rows/s | COPY {copyRate,8:F0} rows/s | events delivered {dispatch.EventsPerSecond,8:F0}/s, {dispatch.SecondsAfterImport:F1} s after the import | {fileBytes / 1048576.0:F0} MB file, managed heap peaked {dispatch.PeakHeapGrowthBytes / 1048576.0:F0} MB above its start"));
            }
            finally
            {
                File.Delete(file);
            }
        }

        return new ImportResult(
            options.ImportRows, Stats.Median(apiRates), Stats.Median(copyRates), Stats.Median(ratios), ratios, Stats.Median(dispatchRates), Stats.Median(dispatchWaits), fileBytes, peakHeapGrowth);
    }

    /// <param name="EventsPerSecond">Events of the import delivered per second, from the start of the import to the last delivery.</param>
    /// <param name="SecondsAfterImport">How long the last deliveries took after the import's response.</param>
    /// <param name="PeakHeapGrowthBytes">How far the process's managed heap rose above its size at the start of the import, at most, while it ran.</param>
    private sealed record Dispatch(double EventsPerSecond, double SecondsAfterImport, long PeakHeapGrowthBytes);

    /// <summary>
    /// Vacuums and analyzes the database and writes a checkpoint before each side, so neither side pays for the maintenance
    /// the other one's million new rows set off (autovacuum of the table, its GIN pending lists, dirty pages): without it,
    /// whichever side ran second in a round was the slower by half.
    /// </summary>
    private static async Task SettleAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        foreach (var sql in new[] { "VACUUM (ANALYZE)", "CHECKPOINT" })
        {
            await using var command = db.CreateCommand(sql);
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task<(double RowsPerSecond, Dispatch Dispatch)> ImportAndDispatchAsync(
        NpgsqlDataSource db, HttpClient http, Uri api, string token, string file, int rows, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var (rate, peakHeapGrowth) = await HeapPeak.DuringAsync(() => ImportAsync(http, api, token, file, rows, ct));
        var imported = watch.Elapsed;
        await using var pending = db.CreateCommand("SELECT count(*) FROM customers.outbox_messages WHERE processed_at IS NULL AND dead_lettered_at IS NULL");
        while ((long)(await pending.ExecuteScalarAsync(ct))! > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }

        return (rate, new Dispatch(rows / watch.Elapsed.TotalSeconds, (watch.Elapsed - imported).TotalSeconds, peakHeapGrowth));
    }

    private static async Task<double> ImportAsync(HttpClient http, Uri api, string token, string file, int rows, CancellationToken ct)
    {
        await using var body = File.OpenRead(file);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "/api/v1/imports/customers?mode=upsert&matchOn=externalId"))
        {
            Content = new StreamContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
        request.Headers.Authorization = new("Bearer", token);
        var watch = Stopwatch.StartNew();
        using var response = await http.SendAsync(request, ct);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        watch.Stop();
        response.EnsureSuccessStatusCode();
        var created = report.GetProperty("created").GetInt64();
        if (created != rows)
        {
            throw new InvalidOperationException($"The import created {created} of {rows} rows: {report}");
        }

        return rows / watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> CopyAsync(NpgsqlDataSource db, string prefix, Guid owner, BenchmarkOptions options, CancellationToken ct)
    {
        var random = new Random(options.Seed);
        var now = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY customers.customers (id, kind, external_id, name, phones, emails, province, city, industry, tags, tier, relationship_type, " +
            "lifecycle_stage, status, owner_id, is_key_account, is_potential_key_account, outstanding_balance, currency, created_at, updated_at, " +
            "search_text, name_bigrams, name_key, phone_keys) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < options.ImportRows; i++)
            {
                var row = Next(random, prefix, i);
                var c = Customer.Create(CustomerKind.Organization, new CustomerDetails(
                    row.Name, null, row.ExternalId, null, row.Industry, null, row.Province, row.City, null, null, [row.Phone], [row.Email], null,
                    [row.Tag], row.Tier, RelationshipType.Basic, LifecycleStage.Potential, false, false, null, null, 0m), owner, null, now);
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(c.Id, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(c.Kind.ToString(), NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(c.ExternalId!, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(c.Name, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(c.Phones.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await copy.WriteAsync(c.Emails.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await copy.WriteAsync(c.Province!, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(c.City!, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(c.Industry!, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(c.Tags.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await copy.WriteAsync(c.Tier!, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(c.RelationshipType.ToString(), NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(c.LifecycleStage.ToString(), NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(c.Status.ToString(), NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(owner, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(false, NpgsqlDbType.Boolean, ct);
                await copy.WriteAsync(false, NpgsqlDbType.Boolean, ct);
                await copy.WriteAsync(0m, NpgsqlDbType.Numeric, ct);
                await copy.WriteAsync(c.Currency, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(c.SearchText, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(c.NameBigrams.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await copy.WriteAsync(c.NameKey, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(c.PhoneKeys.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            }

            await copy.CompleteAsync(ct);
        }

        return options.ImportRows / watch.Elapsed.TotalSeconds;
    }

    private static async Task WriteCsvAsync(string path, string prefix, BenchmarkOptions options, CancellationToken ct)
    {
        var random = new Random(options.Seed);
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        await writer.WriteLineAsync("kind,name,externalId,phones,emails,province,city,industry,tags,tier".AsMemory(), ct);
        for (var i = 0; i < options.ImportRows; i++)
        {
            var row = Next(random, prefix, i);
            await writer.WriteLineAsync($"organization,{row.Name},{row.ExternalId},{row.Phone},{row.Email},{row.Province},{row.City},{row.Industry},{row.Tag},{row.Tier}".AsMemory(), ct);
        }
    }

    private sealed record Row(string Name, string ExternalId, string Phone, string Email, string Province, string City, string Industry, string Tag, string Tier);

    private static Row Next(Random random, string prefix, int index)
    {
        var city = Cities[random.Next(Cities.Length)];
        var trade = Trades[random.Next(Trades.Length)];
        // Unique per round and side (the prefix) and outside the generator's phone ranges (12..., never a generated mobile or landline), so every row passes the
        // duplicate checks on name, phone and email as a genuinely new customer would; the checks still run for each.
        var name = string.Create(CultureInfo.InvariantCulture, $"{city}{Words[random.Next(Words.Length)]}{Words[random.Next(Words.Length)]}{trade}有限公司{prefix}{index}");
        return new Row(
            name,
            string.Create(CultureInfo.InvariantCulture, $"{prefix}{index}"),
            string.Create(CultureInfo.InvariantCulture, $"12{Series(prefix)}{index:D8}"),
            string.Create(CultureInfo.InvariantCulture, $"contact{index}@{prefix.ToLowerInvariant().TrimEnd('-')}.example.cn"),
            city is "深圳" or "广州" ? "广东省" : city is "杭州" ? "浙江省" : city is "成都" ? "四川省" : city is "武汉" ? "湖北省" : city is "南京" ? "江苏省" : city + "市",
            city + "市",
            trade,
            random.Next(2) == 0 ? "展会线索" : "老客户",
            random.Next(2) == 0 ? "A" : "B");
    }

    /// <summary>A digit per round and side: <c>B2A-</c> (round 2, API) is 4, <c>B2C-</c> (round 2, COPY) is 5.</summary>
    private static int Series(string prefix) =>
        (int.Parse(prefix.AsSpan(1, prefix.Length - 3), CultureInfo.InvariantCulture) * 2 + (prefix[^2] == 'A' ? 0 : 1)) % 10;

    private static async Task<Guid> AdminAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand("SELECT id FROM identity.users WHERE email = @email");
        command.Parameters.AddWithValue("email", ApiHost.AdminEmail);
        return (Guid)(await command.ExecuteScalarAsync(ct))!;
    }

}
