using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Crm.Modules.Customers.Domain;
using Crm.SharedKernel.Data;
using Npgsql;

namespace Crm.Benchmarks;

/// <summary>
/// One scenario: the API request against its ceiling, each as a function of the request number; <paramref name="Clients"/>
/// overrides the run's concurrency for the heavy reads.
/// </summary>
internal sealed record ScenarioPlan(string Id, string Title, string Ceiling, Func<long, Uri> Api, Func<long, Uri> Raw, int? Clients = null);

/// <summary>Seeds the data, starts the API and the ceiling host, and runs every scenario in interleaved rounds.</summary>
internal static class BenchmarkRunner
{
    private const int ListLimit = 20;
    private const int SearchLimit = 50;

    public static async Task<BenchmarkReport?> RunAsync(BenchmarkOptions options, TextWriter log, CancellationToken ct)
    {
        // The ceilings' sessions get the API's session settings, so both sides of a ratio run under the same planner.
        await using var db = NpgsqlDataSource.Create(SessionDefaults.Apply(new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            MaxPoolSize = Math.Max(20, options.Concurrency * 4),
            Pooling = true,
            // Seeding and the set-up statements of the bulk scenarios (an UPDATE and a VACUUM over a million rows) outlast
            // the 30 s default on a shared 2-core machine; the measured requests have their own clocks.
            CommandTimeout = 900,
        }));

        // An update checks the report it would change before the minutes of seeding.
        var previous = options.Update ? await ReportWriter.ReadAsync(options.OutputDirectory, ct) : null;
        if (previous?.RefreshRefusal(options) is { } refusal)
        {
            throw new ArgumentException($"--update cannot refresh {Path.Combine(options.OutputDirectory, "benchmarks.json")}: {refusal}.");
        }

        log.WriteLine("Starting the API (migrations on start-up)...");
        await using var api = new ApiHost(options.ConnectionString);
        api.Start();

        await using (var check = db.CreateCommand("SELECT count(*) FROM customers.customers"))
        {
            if ((long)(await check.ExecuteScalarAsync(ct))! != 0)
            {
                throw new InvalidOperationException("The benchmark needs an empty database: customers.customers has rows.");
            }
        }

        log.WriteLine($"Seeding {options.Customers:N0} customers and {options.Users:N0} users (seed {options.Seed})...");
        var seeded = await DataGenerator.SeedAsync(db, options.Customers, options.Users, options.Seed, ct);
        log.WriteLine($"Seeded in {seeded.Elapsed.TotalSeconds:F1} s");

        // A partial run seeds the sales data (ten activities per opportunity: minutes at the reference size) only to measure a sales report.
        var measuresSales = !options.IsPartial || options.Only.Overlaps(SalesScenarios.Ids);
        SalesSeededData? sales = null;
        if (measuresSales)
        {
            log.WriteLine($"Seeding {options.Opportunities:N0} opportunities and {options.Activities:N0} activities...");
            sales = await SalesDataGenerator.SeedAsync(db, options.Opportunities, options.Activities, options.Seed, log, ct);
            log.WriteLine($"Seeded in {sales.Elapsed.TotalSeconds:F1} s");
        }

        await using var ceiling = await CeilingHost.StartAsync(db, ct);
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromHours(2) };
        var token = await SignInAsync(http, api.BaseAddress, ct);

        ceiling.ServeAsBare(await GetBytesAsync(http, new Uri(api.BaseAddress, PipelinePath), token, ct));
        var plans = await PlanAsync(db, http, api.BaseAddress, ceiling.BaseAddress, token, ct);
        var crossChecks = new List<string>();
        if (measuresSales)
        {
            var (salesPlans, checks) = await SalesScenarios.PlanAsync(db, http, api.BaseAddress, ceiling.BaseAddress, token, options.HeavyConcurrency, ct);
            plans.AddRange(salesPlans);
            crossChecks.AddRange(checks);
        }

        if (options.IsPartial)
        {
            var known = plans.Select(p => p.Id).Union(SalesScenarios.Ids).Concat([ImportPhase, TransferPhase]).ToList();
            var unknown = options.Only.Except(known).ToList();
            if (unknown.Count > 0)
            {
                throw new ArgumentException($"Unknown scenario(s) {string.Join(", ", unknown)}; the scenarios are {string.Join(", ", known)}.");
            }

            plans.RemoveAll(p => !options.Only.Contains(p.Id));
        }

        foreach (var check in crossChecks)
        {
            log.WriteLine(check);
        }

        var runner = new LoadRunner(http);

        Task<ImportResult> RunImportAsync()
        {
            log.WriteLine($"Import: {options.ImportRows:N0} customers per side, {options.ImportRounds} rounds...");
            return ImportBenchmark.RunAsync(db, http, api.BaseAddress, c => SignInAsync(http, api.BaseAddress, c), options, log, ct);
        }

        async Task<TransferResult> RunTransferAsync()
        {
            log.WriteLine($"Bulk transfer: {Math.Min(options.TransferCustomers, options.Customers / 4):N0} customers per side, {options.TransferRounds} rounds...");
            return await TransferBenchmark.RunAsync(db, http, api.BaseAddress, await SignInAsync(http, api.BaseAddress, ct), options, log, ct);
        }

        // Warm-up (JIT, connection pools, caches): one short round per side, not recorded.
        foreach (var plan in plans)
        {
            await runner.RunAsync(plan.Api, token, options.RoundDuration / 2, plan.Clients ?? options.Concurrency, ct);
            await runner.RunAsync(plan.Raw, null, options.RoundDuration / 2, plan.Clients ?? options.Concurrency, ct);
        }

        var samples = plans.ToDictionary(p => p.Id, _ => new List<(RoundSample Api, RoundSample Raw)>());
        for (var round = 1; round <= options.Rounds; round++)
        {
            // Access tokens last 15 minutes and a run at the reference size lasts longer: a fresh one per round.
            token = await SignInAsync(http, api.BaseAddress, ct);
            foreach (var plan in plans)
            {
                // Alternate which side goes first so that drift within a round favours neither.
                var clients = plan.Clients ?? options.Concurrency;
                RoundSample apiSample, rawSample;
                if (round % 2 == 1)
                {
                    apiSample = await runner.RunAsync(plan.Api, token, options.RoundDuration, clients, ct);
                    rawSample = await runner.RunAsync(plan.Raw, null, options.RoundDuration, clients, ct);
                }
                else
                {
                    rawSample = await runner.RunAsync(plan.Raw, null, options.RoundDuration, clients, ct);
                    apiSample = await runner.RunAsync(plan.Api, token, options.RoundDuration, clients, ct);
                }

                samples[plan.Id].Add((apiSample, rawSample));
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}/{options.Rounds} {plan.Id,-18} api {apiSample.Rps,8:F0} rps p95 {apiSample.P95Ms,7:F2} ms | ceiling {rawSample.Rps,8:F0} rps p95 {rawSample.P95Ms,7:F2} ms"));
            }
        }

        // Described before the import and transfer phases, which add and move customers: the sizes and filter counts
        // are those the read scenarios ran on.
        var scenarios = plans.Select(p => ScenarioResult.From(p, samples[p.Id])).ToList();
        var settings = new RunSettings(options.Rounds, options.RoundDuration.TotalSeconds, options.Concurrency, options.HeavyConcurrency, options.Seed);
        if (options.IsPartial)
        {
            var partialImport = options.Only.Contains(ImportPhase) ? await RunImportAsync() : null;
            var partialTransfer = options.Only.Contains(TransferPhase) ? await RunTransferAsync() : null;
            return previous?.Refreshed(scenarios, partialImport, partialTransfer, new ReportRefresh(DateTimeOffset.UtcNow, [.. options.Only], settings));
        }

        var data = await DescribeDataAsync(db, seeded, options, ct);
        var import = await RunImportAsync();
        var transfer = await RunTransferAsync();

        return new BenchmarkReport
        {
            Import = import,
            Transfer = transfer,
            GeneratedAt = DateTimeOffset.UtcNow,
            Smoke = options.Smoke,
            Machine = await DescribeMachineAsync(db, ct),
            Data = data,
            Sales = await SalesScenarios.DescribeAsync(db, sales!, ct),
            CrossChecks = crossChecks,
            Settings = settings,
            Scenarios = scenarios,
        };
    }

    private static async Task<string> SignInAsync(HttpClient http, Uri api, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(new Uri(api, "/api/v1/auth/token"),
            new { email = ApiHost.AdminEmail, password = ApiHost.AdminPassword }, ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return body.GetProperty("accessToken").GetString()!;
    }

    /// <summary>
    /// The cheapest authenticated GET: the GB/T 2260 provinces, served from memory, so the ratio prices authentication,
    /// every middleware, MediatR and serialization, and nothing else.
    /// </summary>
    private const string PipelinePath = "/api/v1/regions";

    /// <summary>Names of the import and transfer phases for <see cref="BenchmarkOptions.Only"/>.</summary>
    public const string ImportPhase = "import";

    public const string TransferPhase = "transfer";

    private static async Task<byte[]> GetBytesAsync(HttpClient http, Uri uri, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    private static async Task<List<ScenarioPlan>> PlanAsync(NpgsqlDataSource db, HttpClient http, Uri api, Uri raw, string token, CancellationToken ct)
    {
        // Ids to fetch: a deterministic sample spread over the whole table, so the cache sees the same mix on both sides.
        var ids = new List<Guid>();
        await using (var command = db.CreateCommand("SELECT id FROM customers.customers ORDER BY md5(id::text) LIMIT 1000"))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetGuid(0));
            }
        }

        var province = Uri.EscapeDataString(DataGenerator.ListProvince);
        var firstPage = new Uri(api, $"/api/v1/customers?province={province}&limit={ListLimit}");
        var (deepAt, deepId, deepCursor) = await DeepCursorAsync(db, http, firstPage, token, ct);
        var deepAtText = Uri.EscapeDataString(deepAt.ToString("O", CultureInfo.InvariantCulture));

        var plans = new List<ScenarioPlan>
        {
            new("pipeline", $"Pipeline overhead: GET {PipelinePath} (authenticated, full middleware, no database)", "bare minimal-API endpoint, same JSON bytes",
                _ => new Uri(api, PipelinePath), _ => new Uri(raw, "/bare")),
            new("customer-by-id", "Customer by id: GET /api/v1/customers/{id}", "raw Npgsql single-row query",
                n => new Uri(api, $"/api/v1/customers/{ids[(int)(n % ids.Count)]}"), n => new Uri(raw, $"/raw/customers/{ids[(int)(n % ids.Count)]}")),
            new("list-first-page", $"Customer list, province={DataGenerator.ListProvince}, newest first, limit {ListLimit}: page 1", "same SQL via raw Npgsql",
                _ => firstPage, _ => new Uri(raw, $"/raw/customers?province={province}&take={ListLimit + 1}")),
            new("list-deep-page", $"Customer list, same filter: keyset page at 90% depth", "same SQL via raw Npgsql",
                _ => new Uri(api, $"/api/v1/customers?province={province}&limit={ListLimit}&cursor={deepCursor}"),
                _ => new Uri(raw, $"/raw/customers?province={province}&take={ListLimit + 1}&at={deepAtText}&id={deepId}")),
        };

        foreach (var (id, title, q) in new[]
        {
            ("search-cjk-2", "Search q=华信 (2 Chinese characters, bigram index)", DataGenerator.TwoCharacterTerm),
            ("search-cjk-4", "Search q=华信科技 (3+ Chinese characters, trigram index)", DataGenerator.ChineseTerm),
            ("search-latin", "Search q=huaxin (Latin substring, trigram index)", DataGenerator.LatinTerm),
            ("search-phone", "Search q=0755-2878 (phone fragment, digits, trigram index)", DataGenerator.PhoneTerm),
        })
        {
            var term = CustomerSearch.Parse(q).Term!;
            plans.Add(new(id, title, "same SQL via raw Npgsql",
                _ => new Uri(api, $"/api/v1/customers?q={Uri.EscapeDataString(q)}"),
                _ => new Uri(raw, $"/raw/search?term={Uri.EscapeDataString(term)}&take={SearchLimit + 1}")));
        }

        return plans;
    }

    /// <summary>A cursor as the API would issue it for the row at 90% of the filtered list (walking there would take minutes).</summary>
    private static async Task<(DateTimeOffset At, Guid Id, string Cursor)> DeepCursorAsync(NpgsqlDataSource db, HttpClient http, Uri firstPage, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, firstPage);
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        var page = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var issued = page.GetProperty("nextCursor").GetString()
            ?? throw new InvalidOperationException("The first page has no next page: too little data for the list scenario.");
        var payload = JsonNode.Parse(Convert.FromBase64String(ToBase64(issued)))!.AsObject();

        await using var command = db.CreateCommand(
            "SELECT created_at, id FROM customers.customers WHERE status <> 'Archived' AND province = @province " +
            "ORDER BY created_at DESC, id DESC OFFSET (SELECT count(*) * 9 / 10 FROM customers.customers WHERE status <> 'Archived' AND province = @province) LIMIT 1");
        command.Parameters.AddWithValue("province", DataGenerator.ListProvince);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var at = reader.GetFieldValue<DateTimeOffset>(0);
        var id = reader.GetGuid(1);
        payload["k"] = new JsonArray(JsonValue.Create(at), JsonValue.Create(id));
        var cursor = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(payload)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (at, id, cursor);
    }

    private static string ToBase64(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
    }

    private static async Task<MachineInfo> DescribeMachineAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? (await File.ReadAllLinesAsync("/proc/cpuinfo", ct)).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        await using var command = db.CreateCommand("SELECT version()");
        var postgres = (string)(await command.ExecuteScalarAsync(ct))!;
        return new MachineInfo(
            Environment.MachineName,
            RuntimeInformation.OSDescription,
            cpu ?? RuntimeInformation.ProcessArchitecture.ToString(),
            Environment.ProcessorCount,
            Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024d / 1024 / 1024, 1),
            RuntimeInformation.FrameworkDescription,
            postgres,
            "API, ceiling host, load generator and PostgreSQL share this machine (127.0.0.1)");
    }

    private static async Task<DataInfo> DescribeDataAsync(NpgsqlDataSource db, SeededData seeded, BenchmarkOptions options, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            """
            SELECT pg_total_relation_size('customers.customers'),
                   (SELECT count(*) FROM customers.customers WHERE province = @province AND status <> 'Archived'),
                   (SELECT count(*) FROM customers.customers WHERE name_bigrams @> ARRAY[@bigram]::text[]),
                   (SELECT count(*) FROM customers.customers WHERE search_text LIKE @cjk),
                   (SELECT count(*) FROM customers.customers WHERE search_text LIKE @latin),
                   (SELECT count(*) FROM customers.customers WHERE search_text LIKE @phone)
            """);
        command.Parameters.AddWithValue("province", DataGenerator.ListProvince);
        command.Parameters.AddWithValue("bigram", DataGenerator.TwoCharacterTerm);
        command.Parameters.AddWithValue("cjk", $"%{DataGenerator.ChineseTerm}%");
        command.Parameters.AddWithValue("latin", $"%{DataGenerator.LatinTerm}%");
        command.Parameters.AddWithValue("phone", $"%{CustomerSearch.Parse(DataGenerator.PhoneTerm).Term}%");
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new DataInfo(
            seeded.Customers, seeded.Users + 1, seeded.Teams, Math.Round(reader.GetInt64(0) / 1024d / 1024, 1), Math.Round(seeded.Elapsed.TotalSeconds, 1),
            new Dictionary<string, long>
            {
                ["list filter (province, not archived)"] = reader.GetInt64(1),
                [$"q={DataGenerator.TwoCharacterTerm}"] = reader.GetInt64(2),
                [$"q={DataGenerator.ChineseTerm}"] = reader.GetInt64(3),
                [$"q={DataGenerator.LatinTerm}"] = reader.GetInt64(4),
                [$"q={DataGenerator.PhoneTerm}"] = reader.GetInt64(5),
            });
    }
}
