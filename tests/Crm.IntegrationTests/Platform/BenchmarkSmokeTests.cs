using System.Text.Json;
using Crm.Benchmarks;
using Crm.IntegrationTests.Infrastructure;
using Npgsql;

namespace Crm.IntegrationTests.Platform;

/// <summary>
/// Runs tests/Crm.Benchmarks in --smoke mode (tiny data, short rounds) so the benchmark code never rots: one full run, whose
/// report a partial run with --update then refreshes in place.
/// </summary>
internal sealed class BenchmarkSmokeTests
{
    private static readonly string[] Scenarios =
    [
        "pipeline", "customer-by-id", "list-first-page", "list-deep-page",
        "search-cjk-2", "search-cjk-4", "search-latin", "search-phone",
        "funnel", "funnel-team", "forecast-month", "calendar-team",
    ];

    private string _output = null!;
    private BenchmarkReport _report = null!;
    private string _markdown = null!;
    private string _json = null!;

    [OneTimeSetUp]
    public async Task RunTheFullSmokeBenchmark()
    {
        var connectionString = await TestDatabase.CreateAsync("bench");
        _output = Path.Combine(Path.GetTempPath(), $"crm-bench-smoke-{Guid.NewGuid():N}");
        _report = await BenchmarkRunner.RunAsync(BenchmarkOptions.ForSmoke(connectionString, _output), TextWriter.Null, CancellationToken.None)
            ?? throw new AssertionException("A full run must produce a report.");
        var (markdownPath, jsonPath) = await ReportWriter.WriteAsync(_report, _output, CancellationToken.None);
        _markdown = await File.ReadAllTextAsync(markdownPath);
        _json = await File.ReadAllTextAsync(jsonPath);
    }

    [OneTimeTearDown]
    public void DeleteTheReports()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    [Test]
    public void The_benchmark_smoke_run_reports_every_scenario_against_its_ceiling()
    {
        var report = _report;
        var markdown = _markdown;
        using var json = JsonDocument.Parse(_json);
        Assert.Multiple(() =>
        {
            Assert.That(report.Scenarios.Select(s => s.Id), Is.EqualTo(Scenarios));
            Assert.That(report.Scenarios.Select(s => s.ApiRps), Has.All.GreaterThan(0));
            Assert.That(report.Scenarios.Select(s => s.CeilingRps), Has.All.GreaterThan(0));
            Assert.That(report.Goals, Has.Count.EqualTo(6));
            Assert.That((report.Import.Rows, report.Import.ApiRowsPerSecond > 0, report.Import.CopyRowsPerSecond > 0), Is.EqualTo((2_000, true, true)));
            Assert.That(report.Import.FileBytes, Is.GreaterThan(2_000 * 100), "the size of the imported file, a hundred bytes a row or more");
            Assert.That(markdown, Does.Contain("managed heap rose at most"));
            Assert.That((report.Transfer.Customers, report.Transfer.RoundRatios.Count, report.Transfer.ApiMs > 0, report.Transfer.CeilingMs > 0), Is.EqualTo((500, 2, true, true)));
            Assert.That(report.Data.Customers, Is.EqualTo(BenchmarkOptions.ForSmoke("unused", _output).Customers));
            Assert.That(report.Refreshes, Is.Empty);
            Assert.That(markdown, Does.Not.Contain("--update, same sizes and seed"));

            // The sales reports ran against their hand-written ceilings, which gave the same numbers on the smoke data.
            Assert.That((report.Sales.Opportunities, report.Sales.Activities), Is.EqualTo((1_500, 6_000)));
            Assert.That(report.Sales.StageChanges, Is.GreaterThan(report.Sales.Opportunities / 2));
            Assert.That(report.Sales.Matches.Values, Has.All.GreaterThan(0));
            Assert.That(report.CrossChecks, Has.Count.EqualTo(4).And.All.Contain("the same numbers from the API and the ceiling").And.None.Contain(": 0 "));
            Assert.That(markdown, Does.Contain("### Sales reports"));
            Assert.That(markdown, Does.Contain("Smoke run").And.Contain("### Bulk transfer").And.Contain("## Machine"));
            foreach (var scenario in report.Scenarios)
            {
                Assert.That(markdown, Does.Contain(scenario.Title));
            }

            Assert.That(json.RootElement.GetProperty("scenarios").GetArrayLength(), Is.EqualTo(Scenarios.Length));
            Assert.That(json.RootElement.GetProperty("goals").GetArrayLength(), Is.EqualTo(6));
        });
    }

    [Test]
    public async Task A_partial_run_with_update_replaces_only_its_own_results_and_says_when_it_measured_them()
    {
        var connectionString = await TestDatabase.CreateAsync("bench-update");
        var options = BenchmarkOptions.Parse(["--connection", connectionString, "--output", _output, "--smoke", "--only", "customer-by-id,transfer", "--update"]);

        var refreshed = await BenchmarkRunner.RunAsync(options, TextWriter.Null, CancellationToken.None)
            ?? throw new AssertionException("A partial run with --update must produce the refreshed report.");
        var (markdownPath, _) = await ReportWriter.WriteAsync(refreshed, _output, CancellationToken.None);
        var markdown = await File.ReadAllTextAsync(markdownPath);
        var reread = await ReportWriter.ReadAsync(_output, CancellationToken.None);

        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var opportunities = db.CreateCommand("SELECT count(*) FROM sales.opportunities");
        Assert.Multiple(() =>
        {
            Assert.That(refreshed.Scenarios.Select(s => s.Id), Is.EqualTo(Scenarios), "the report keeps every scenario, in order");
            Assert.That(refreshed.Scenario("customer-by-id").RoundRatios, Is.Not.EqualTo(_report.Scenario("customer-by-id").RoundRatios), "measured again");
            Assert.That(Measured(refreshed.Scenario("pipeline")), Is.EqualTo(Measured(_report.Scenario("pipeline"))), "kept from the full run");
            Assert.That(refreshed.Transfer.RoundRatios, Is.Not.EqualTo(_report.Transfer.RoundRatios), "measured again");
            Assert.That(refreshed.Import.RoundRatios, Is.EqualTo(_report.Import.RoundRatios), "kept from the full run");
            Assert.That((refreshed.GeneratedAt, refreshed.Data.Customers, refreshed.CrossChecks), Is.EqualTo((_report.GeneratedAt, _report.Data.Customers, _report.CrossChecks)));
            Assert.That(refreshed.Refreshes.Single().Measured, Is.EquivalentTo(new[] { "customer-by-id", "transfer" }));
            Assert.That(reread.Refreshes.Single().At, Is.EqualTo(refreshed.Refreshes.Single().At), "the refresh is in the JSON report too");
            Assert.That(reread.Scenario("customer-by-id").Ratio, Is.EqualTo(refreshed.Scenario("customer-by-id").Ratio));
            Assert.That(markdown, Does.Contain($"Measured in the full run of {_report.GeneratedAt:yyyy-MM-dd HH:mm} UTC"));
            Assert.That(markdown, Does.Contain(": customer-by-id, transfer (2 rounds"));
        });
        Assert.That(await opportunities.ExecuteScalarAsync(), Is.Zero, "a partial run without a sales scenario seeds no sales data");
    }

    private static (double Ratio, double ApiRps, double CeilingRps, string Rounds) Measured(ScenarioResult scenario) =>
        (scenario.Ratio, scenario.ApiRps, scenario.CeilingRps, string.Join(" ", scenario.RoundRatios));

    [Test]
    public void An_update_refuses_a_report_measured_on_other_data_before_seeding_anything()
    {
        var options = BenchmarkOptions.Parse(["--connection", "Host=127.0.0.1;Port=1;Database=never", "--output", _output, "--smoke", "--customers", "4000", "--only", "customer-by-id", "--update"]);

        var refusal = Assert.ThrowsAsync<ArgumentException>(() => BenchmarkRunner.RunAsync(options, TextWriter.Null, CancellationToken.None));

        Assert.That(refusal!.Message, Does.Contain("measured on other data: --customers 4,000 (the report has 3,000)"));
    }

    [Test]
    public void Update_without_only_is_refused()
    {
        var refusal = Assert.Throws<ArgumentException>(() => BenchmarkOptions.Parse(["--connection", "Host=x", "--update"]));

        Assert.That(refusal!.Message, Does.Contain("give --only"));
    }
}
