using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Crm.Benchmarks;

internal sealed record MachineInfo(string Host, string Os, string Cpu, int LogicalCores, double MemoryGb, string Runtime, string Postgres, string Topology);

internal sealed record DataInfo(int Customers, int Users, int Teams, double CustomersTableMb, double SeedSeconds, Dictionary<string, long> Matches);

internal sealed record RunSettings(int Rounds, double SecondsPerSide, int Concurrency, int HeavyConcurrency, int Seed);

/// <summary>Medians over the rounds of one scenario; the ratio is the median of the per-round API/ceiling throughput ratios.</summary>
internal sealed record ScenarioResult(
    string Id, string Title, string Ceiling,
    double ApiRps, double ApiP50Ms, double ApiP95Ms, double ApiP99Ms,
    double CeilingRps, double CeilingP50Ms, double CeilingP95Ms, double CeilingP99Ms,
    double Ratio, double RatioSpread, bool Noisy, IReadOnlyList<double> RoundRatios)
{
    /// <summary>Rounds are flagged noisy when their ratios spread more than this around the median.</summary>
    public const double NoiseThreshold = 0.10;

    public static ScenarioResult From(ScenarioPlan plan, IReadOnlyList<(RoundSample Api, RoundSample Raw)> rounds)
    {
        var ratios = rounds.Select(r => r.Api.Rps / r.Raw.Rps).ToList();
        var ratio = Stats.Median(ratios);
        var spread = ratios.Count < 2 ? 0 : (ratios.Max() - ratios.Min()) / ratio;
        return new ScenarioResult(plan.Id, plan.Title, plan.Ceiling,
            Stats.Median(rounds.Select(r => r.Api.Rps)), Stats.Median(rounds.Select(r => r.Api.P50Ms)), Stats.Median(rounds.Select(r => r.Api.P95Ms)), Stats.Median(rounds.Select(r => r.Api.P99Ms)),
            Stats.Median(rounds.Select(r => r.Raw.Rps)), Stats.Median(rounds.Select(r => r.Raw.P50Ms)), Stats.Median(rounds.Select(r => r.Raw.P95Ms)), Stats.Median(rounds.Select(r => r.Raw.P99Ms)),
            ratio, spread, spread > NoiseThreshold * 2, ratios);
    }

}

/// <summary>A partial run (<c>--only ... --update</c>) that measured <paramref name="Measured"/> again after the full run.</summary>
internal sealed record ReportRefresh(DateTimeOffset At, IReadOnlyList<string> Measured, RunSettings Settings);

/// <summary>A stated goal and whether this run met it.</summary>
internal sealed record GoalResult(string Goal, string Measured, bool Met, string Verdict);

internal sealed record BenchmarkReport
{
    public required DateTimeOffset GeneratedAt { get; init; }

    public required bool Smoke { get; init; }

    public required MachineInfo Machine { get; init; }

    public required DataInfo Data { get; init; }

    /// <summary>The opportunities, stage history, activities and quotas the sales report scenarios read.</summary>
    public required SalesDataInfo Sales { get; init; }

    /// <summary>One line per sales scenario: its API answer and its ceiling's agreed before it was measured.</summary>
    public required IReadOnlyList<string> CrossChecks { get; init; }

    public required RunSettings Settings { get; init; }

    public required IReadOnlyList<ScenarioResult> Scenarios { get; init; }

    /// <summary>Scenario 5: rows per second of an import through the API against a binary COPY.</summary>
    public required ImportResult Import { get; init; }

    /// <summary>Scenario 6: a bulk owner transfer through the API against hand-written SQL making the same changes.</summary>
    public required TransferResult Transfer { get; init; }

    /// <summary>The partial runs that replaced some of the results since <see cref="GeneratedAt"/>, oldest first.</summary>
    public IReadOnlyList<ReportRefresh> Refreshes { get; init; } = [];

    public IReadOnlyList<GoalResult> Goals => EvaluateGoals();

    public ScenarioResult Scenario(string id) => Scenarios.Single(s => s.Id == id);

    /// <summary>
    /// Why a partial run measured with <paramref name="options"/> may not replace results of this report, or null when it may:
    /// the data it runs on must be this report's (customers, users and seed; the sales data too when it measures a sales
    /// scenario), or its ratios would not compare with the rest.
    /// </summary>
    public string? RefreshRefusal(BenchmarkOptions options)
    {
        if (Smoke != options.Smoke)
        {
            return Smoke ? "the report is a smoke run and this run is not" : "this run is a smoke run and the report is not";
        }

        var measuresSales = options.Only.Overlaps(SalesScenarios.Ids);
        var mismatches = new List<string>();
        void Compare(string what, long reported, long given, bool applies = true)
        {
            if (applies && reported != given)
            {
                mismatches.Add(string.Create(CultureInfo.InvariantCulture, $"{what} {given:N0} (the report has {reported:N0})"));
            }
        }

        Compare("--customers", Data.Customers, options.Customers);
        Compare("--users", Data.Users - 1, options.Users);
        Compare("--seed", Settings.Seed, options.Seed);
        Compare("--opportunities", Sales.Opportunities, options.Opportunities, measuresSales);
        Compare("--activities", Sales.Activities, options.Activities, measuresSales);
        return mismatches.Count == 0 ? null : "the report was measured on other data: " + string.Join(", ", mismatches);
    }

    /// <summary>This report with the results of a partial run in place of the same scenarios' and phases' results.</summary>
    public BenchmarkReport Refreshed(IReadOnlyList<ScenarioResult> scenarios, ImportResult? import, TransferResult? transfer, ReportRefresh refresh) => this with
    {
        Scenarios = Scenarios.Select(old => scenarios.SingleOrDefault(s => s.Id == old.Id) ?? old).ToList(),
        Import = import ?? Import,
        Transfer = transfer ?? Transfer,
        Refreshes = [.. Refreshes, refresh],
    };

    private List<GoalResult> EvaluateGoals()
    {
        var goals = new List<GoalResult>();
        var pipeline = Scenario("pipeline");
        goals.Add(AtLeast("Pipeline overhead: authenticated GET ≥ 0.6 × bare endpoint throughput", pipeline.Ratio, 0.6));
        var byId = Scenario("customer-by-id");
        goals.Add(AtLeast("Customer by id ≥ 0.75 × raw Npgsql throughput", byId.Ratio, 0.75));
        var deep = Scenario("list-deep-page").ApiP50Ms / Scenario("list-first-page").ApiP50Ms;
        goals.Add(AtMost("Deep keyset page median latency ≤ 1.5 × first page", deep, 1.5));
        var search = Scenario("search-cjk-2").ApiP95Ms / Scenario("search-cjk-4").ApiP95Ms;
        goals.Add(AtMost("2-character Chinese search p95 ≤ 10 × the 3+-character one", search, 10));
        goals.Add(AtLeast("Import through the API (CSV upsert) ≥ 0.5 × binary COPY rows/s", Import.Ratio, 0.5));
        goals.Add(AtMost("Bulk transfer through the API ≤ 1.25 × the time of hand-written SQL", Transfer.TimeRatio, 1.25));
        return goals;
    }

    private static GoalResult AtLeast(string goal, double value, double target) => value >= target
        ? new(goal, F(value), true, "met")
        : new(goal, F(value), false, string.Create(CultureInfo.InvariantCulture, $"MISSED by {target - value:F2} ({(target - value) / target:P0} short)"));

    private static GoalResult AtMost(string goal, double value, double target) => value <= target
        ? new(goal, F(value), true, "met")
        : new(goal, F(value), false, string.Create(CultureInfo.InvariantCulture, $"MISSED by {value - target:F2} ({(value - target) / target:P0} over)"));

    internal static string F(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}

internal static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The report written to <paramref name="directory"/> by an earlier run (for <c>--update</c>).</summary>
    public static async Task<BenchmarkReport> ReadAsync(string directory, CancellationToken ct)
    {
        var path = Path.Combine(directory, "benchmarks.json");
        if (!File.Exists(path))
        {
            throw new ArgumentException($"--update needs the report of a full run to refresh, and {path} does not exist.");
        }

        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<BenchmarkReport>(file, Json, ct)
            ?? throw new ArgumentException($"{path} holds no report.");
    }

    public static async Task<(string Markdown, string Json)> WriteAsync(BenchmarkReport report, string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var markdown = Path.Combine(directory, "benchmarks.md");
        var json = Path.Combine(directory, "benchmarks.json");
        await File.WriteAllTextAsync(markdown, Markdown(report), ct);
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(report, Json) + "\n", ct);
        return (markdown, json);
    }

    public static string Markdown(BenchmarkReport r)
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

        Line("# Benchmarks");
        Line();
        Line("Generated by `tests/Crm.Benchmarks` (`eng/bench.sh`); do not edit by hand. Every scenario is measured against a");
        Line("ceiling taken in the same run, on the same machine and database, in interleaved rounds; the numbers below are");
        Line("medians over the rounds. Goals are about the ratio to the ceiling, never about absolute numbers, and are never");
        Line("met by changing the ceiling.");
        Line();
        if (r.Smoke)
        {
            Line("> **Smoke run** (tiny data, very short rounds): proves the benchmark works, the numbers mean nothing.");
            Line();
        }

        if (r.Refreshes.Count > 0)
        {
            Line(I($"Measured in the full run of {r.GeneratedAt:yyyy-MM-dd HH:mm} UTC, except what later partial runs on the same data"));
            Line("(`--only ... --update`, same sizes and seed) measured again, each against its ceiling in that run:");
            foreach (var refresh in r.Refreshes)
            {
                Line(I($"- {refresh.At:yyyy-MM-dd HH:mm} UTC: {string.Join(", ", refresh.Measured)} ({refresh.Settings.Rounds} rounds × {refresh.Settings.SecondsPerSide} s per side)"));
            }

            Line();
        }

        Line("## Goals");
        Line();
        Line("| Goal | Measured | Result |");
        Line("|---|---|---|");
        foreach (var goal in r.Goals)
        {
            Line($"| {goal.Goal} | {goal.Measured} | {(goal.Met ? "met" : "**" + goal.Verdict + "**")} |");
        }

        Line();
        Line("## Results");
        Line();
        Line("Throughput in requests per second, latency in milliseconds (p50 / p95 / p99), ratio = API throughput ÷ ceiling");
        Line(I($"throughput, median of the per-round ratios. A scenario is flagged noisy when its round ratios spread more than {ScenarioResult.NoiseThreshold * 2:P0} of the median."));
        Line();
        Line("| Scenario | API rps | API p50 / p95 / p99 | Ceiling | Ceiling rps | Ceiling p50 / p95 / p99 | Ratio | Rounds |");
        Line("|---|---:|---|---|---:|---|---:|---|");
        foreach (var s in r.Scenarios)
        {
            var rounds = string.Join(" ", s.RoundRatios.Select(BenchmarkReport.F)) + (s.Noisy ? " **noisy**" : string.Empty);
            Line(I($"| {s.Title} | {s.ApiRps:F0} | {s.ApiP50Ms:F2} / {s.ApiP95Ms:F2} / {s.ApiP99Ms:F2} | {s.Ceiling} | {s.CeilingRps:F0} | {s.CeilingP50Ms:F2} / {s.CeilingP95Ms:F2} / {s.CeilingP99Ms:F2} | {s.Ratio:F2} | {rounds} |"));
        }

        Line();
        Line("Derived: deep page / first page median latency = " +
             BenchmarkReport.F(r.Scenario("list-deep-page").ApiP50Ms / r.Scenario("list-first-page").ApiP50Ms) +
             " (API), " + BenchmarkReport.F(r.Scenario("list-deep-page").CeilingP50Ms / r.Scenario("list-first-page").CeilingP50Ms) +
             " (raw SQL); 2-character / 3+-character Chinese search p95 = " +
             BenchmarkReport.F(r.Scenario("search-cjk-2").ApiP95Ms / r.Scenario("search-cjk-4").ApiP95Ms) + " (API).");
        Line();
        Line("### Sales reports");
        Line();
        Line("There is no numeric goal for the sales reports: the ratio to hand-written SQL is the result. Each ceiling is SQL written by");
        Line("hand for the report's definition (not the handler's statement) in `SalesCeilings`: the funnel per stage of the default");
        Line("pipeline (count, amount, weighted amount, reached, conversion, average days in stage, won and lost), the forecast per month");
        Line("and owner (pipeline, weighted, commit, best case, won, quota, attainment), the team calendar (the same 2,000-row capped list).");
        Line("Before measuring, every API answer was compared with its ceiling's and the run stops on any difference:");
        foreach (var check in r.CrossChecks)
        {
            Line($"- {check}");
        }

        Line();
        Line("### Import");
        Line();
        Line("| Rows per side | API rows/s | Binary COPY rows/s | Ratio | Rounds |");
        Line("|---:|---:|---:|---:|---|");
        Line(I($"| {r.Import.Rows:N0} | {r.Import.ApiRowsPerSecond:F0} | {r.Import.CopyRowsPerSecond:F0} | {r.Import.Ratio:F2} | {string.Join(" ", r.Import.RoundRatios.Select(BenchmarkReport.F))} |"));
        Line();
        Line("`POST /api/v1/imports/customers` with a generated CSV (upsert on externalId, validation, duplicate checks, COPY staging,");
        Line("chunks of 5000 in their own transactions, every production index in place) against one binary COPY of the same rows");
        Line("(other external ids) into `customers.customers`; the COPY side derives each row's search columns through the domain in its loop.");
        Line("Each imported customer also writes a CustomerCreated event to the outbox (in the chunk's COPY); the API host delivers them to the");
        Line(I($"customer timeline in the background, a batch per statement. Median delivery: {r.Import.DispatchEventsPerSecond:F0} events/s from the start of the import,"));
        Line(I($"the last delivered {r.Import.DispatchSecondsAfterImport:F1} s after the import answered; each round waits for that before the next side runs."));
        Line(I($"Memory: while it imported the {r.Import.FileBytes / 1048576.0:F0} MB file, the API process's managed heap rose at most {r.Import.PeakHeapGrowthBytes / 1048576.0:F0} MB"));
        Line("above its size at the start (sampled every 20 ms, garbage not yet collected included). Rows are streamed a chunk at a time, and");
        Line("the keys claimed for in-file duplicate checks are kept in PostgreSQL with a fixed-size filter in memory (ADR 0044), so the rise");
        Line("does not grow with the file.");
        Line();
        Line("### Bulk transfer");
        Line();
        Line("| Customers per transfer | API ms | Hand-written SQL ms | API ÷ SQL time | Rounds |");
        Line("|---:|---:|---:|---:|---|");
        Line(I($"| {r.Transfer.Customers:N0} | {r.Transfer.ApiMs:F0} | {r.Transfer.CeilingMs:F0} | {r.Transfer.TimeRatio:F2} | {string.Join(" ", r.Transfer.RoundRatios.Select(BenchmarkReport.F))} |"));
        Line();
        Line("`POST /api/v1/customers/transfer` by filter (every customer of a leaving rep) against one hand-written statement making the");
        Line("same changes to another rep's customers of the same number: owner and team of each customer, one owner-history row each, the");
        Line("contacts' owner. The API also writes the audit summary and the integration event; each round moves both sets back.");
        Line();
        Line("The pipeline scenario reads `/api/v1/regions` (the GB/T 2260 provinces, held in memory): the API side authenticates the");
        Line("bearer token (remembered once validated; expiry and the user's security stamp checked on every request, ADR 0033), runs every");
        Line("middleware (rate limiting, body limit, authorization, idempotency), serializes the response and sets its ETag; the bare");
        Line("endpoint writes the same bytes. Neither touches the database, so the ratio prices the pipeline alone. Both sides of every");
        Line("other scenario run the same SQL.");
        Line();
        Line("## Machine");
        Line();
        Line($"- Host: {r.Machine.Host}; {r.Machine.Os}");
        Line(I($"- CPU: {r.Machine.Cpu}, {r.Machine.LogicalCores} logical cores; memory available to .NET: {r.Machine.MemoryGb} GB"));
        Line($"- Runtime: {r.Machine.Runtime}");
        Line($"- Database: {r.Machine.Postgres}");
        Line($"- {r.Machine.Topology}");
        Line();
        Line("## Data and settings");
        Line();
        Line(I($"- {r.Data.Customers:N0} customers ({r.Data.CustomersTableMb} MB with indexes), {r.Data.Users:N0} users, {r.Data.Teams} teams; seeded with binary COPY in {r.Data.SeedSeconds} s (seed {r.Settings.Seed})"));
        Line("- Rows matching each scenario's filter: " + string.Join(", ", r.Data.Matches.Select(m => I($"{m.Key}: {m.Value:N0}"))));
        Line(I($"- {r.Sales.Opportunities:N0} opportunities with {r.Sales.StageChanges:N0} stage changes, {r.Sales.Activities:N0} activities, {r.Sales.Quotas:N0} monthly quotas ({r.Sales.SalesTablesMb} MB with indexes);"));
        Line(I($"  generated server-side (INSERT ... SELECT over generate_series, seeded hashes) in {r.Sales.SeedSeconds} s. Opportunities matching: ") +
             string.Join(", ", r.Sales.Matches.Select(m => I($"{m.Key}: {m.Value:N0}"))));
        Line(I($"- {r.Settings.Rounds} rounds × {r.Settings.SecondsPerSide} s per side, after one unrecorded warm-up round; {r.Settings.Concurrency} concurrent closed-loop HTTP/1.1 clients over 127.0.0.1"));
        Line(I($"  ({r.Settings.HeavyConcurrency} for the sales reports, so that their p95 is the time of one request rather than of a queue)"));
        Line("- The API is the real `Crm.Api` host on Kestrel, Production environment, with the per-user rate limit off and logs below Warning");
        Line("  dropped; the ceiling host is a bare minimal API in the benchmark process whose endpoints run the API's SQL (mirrored by hand");
        Line("  from `ListCustomers` / `KeysetPagination`) through raw Npgsql and write the rows with `Utf8JsonWriter`.");
        Line($"- Generated {r.GeneratedAt:yyyy-MM-dd HH:mm} UTC");
        Line();
        Line("## Running it");
        Line();
        Line("```bash");
        Line("eng/bench.sh                          # 200,000 customers, 5 rounds of 3 s per side (about 6 minutes on 2 cores)");
        Line("eng/bench.sh --customers 1000000      # the reference size: 1M opportunities, 10M activities (seeding takes several minutes; give it 8 GB)");
        Line("eng/bench.sh --rounds 7 --seconds 5   # steadier medians on a noisy machine");
        Line("eng/bench.sh --smoke                  # seconds; what the test suite runs");
        Line("eng/bench.sh --only pipeline --rounds 1 --seconds 30   # one path under steady load, to profile; writes no report");
        Line("eng/bench.sh --customers 1000000 --only customer-by-id,import --update   # measure a change again, in place in this report");
        Line("```");
        Line();
        Line("`eng/bench.sh` starts a throwaway PostgreSQL from the installed binaries, creates an empty UTF-8 database, runs");
        Line("`tests/Crm.Benchmarks` in Release and writes this file and `docs/benchmarks.json`. Other flags: `--users`,");
        Line("`--concurrency`, `--seed`, `--import-rows`, `--import-rounds`, `--transfer-customers`, `--transfer-rounds`, `--opportunities`");
        Line("(default: as many as customers), `--activities` (default: ten per opportunity), `--heavy-concurrency` (default 2),");
        Line("`--output DIR`. Run it on an otherwise idle machine and commit the report with the change");
        Line("it measures.");
        Line();
        Line("`--only` takes scenario ids from the log (`pipeline`, `customer-by-id`, `funnel`, …) and `import` / `transfer` for those");
        Line("phases; it seeds the sales data only when it runs a sales scenario. With `--update` it replaces those results in the report");
        Line("and lists the refresh at the top; it refuses a report measured on other sizes or another seed. Attach a profiler to the running program, e.g. `dotnet-trace collect -p <pid> --profile dotnet-sampled-thread-time");
        Line("--duration 00:00:00:20 --format Speedscope`; that is how the findings of ADR 0033 were made.");
        return md.ToString();
    }
}
