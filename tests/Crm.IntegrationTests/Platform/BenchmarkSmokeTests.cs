using System.Text.Json;
using Crm.Benchmarks;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.Platform;

/// <summary>Runs tests/Crm.Benchmarks in --smoke mode (tiny data, short rounds) so the benchmark code never rots.</summary>
internal sealed class BenchmarkSmokeTests
{
    private static readonly string[] Scenarios =
    [
        "pipeline", "customer-by-id", "list-first-page", "list-deep-page",
        "search-cjk-2", "search-cjk-4", "search-latin", "search-phone",
        "funnel", "funnel-team", "forecast-month", "calendar-team",
    ];

    [Test]
    public async Task The_benchmark_smoke_run_reports_every_scenario_against_its_ceiling()
    {
        var connectionString = await TestDatabase.CreateAsync("bench");
        var output = Path.Combine(Path.GetTempPath(), $"crm-bench-smoke-{Guid.NewGuid():N}");
        try
        {
            var report = await BenchmarkRunner.RunAsync(BenchmarkOptions.ForSmoke(connectionString, output), TextWriter.Null, CancellationToken.None)
                ?? throw new AssertionException("A full run must produce a report.");
            var (markdownPath, jsonPath) = await ReportWriter.WriteAsync(report, output, CancellationToken.None);

            var markdown = await File.ReadAllTextAsync(markdownPath);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath));
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
                Assert.That(report.Data.Customers, Is.EqualTo(BenchmarkOptions.ForSmoke(connectionString, output).Customers));

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
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }
}
